package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What deletes from the store: {@code rmi}, {@code image prune}, and the leftovers of killed
 * jrun processes. Deletion holds {@code gc.lock} exclusively, so it never deletes what a pull
 * holding a {@link Store.Lease} is about to record.
 */
// Lock holds are try-with-resources whose variable is unused by design.
@SuppressWarnings("try")
final class GarbageCollector {
    private final Path root;
    private final StoreLocks locks;
    private final Temporaries temporaries;
    private final Blobs blobs;
    private final Layers layers;
    private final ImageRecords images;
    private final ContainerStore containers;

    GarbageCollector(Path root, StoreLocks locks, Temporaries temporaries, Blobs blobs, Layers layers,
                     ImageRecords images, ContainerStore containers) {
        this.root = root;
        this.locks = locks;
        this.temporaries = temporaries;
        this.blobs = blobs;
        this.layers = layers;
        this.images = images;
        this.containers = containers;
    }

    /** See {@link Store#removeImage}. */
    RemovalReport removeImage(String reference, boolean force) throws StoreException {
        try (StoreLock.Hold gc = locks.lockForDeletion(); StoreLock.Hold ignored = locks.lockMutations()) {
            ImageRecord image = images.findImage(reference).orElseThrow(() -> new StoreException("image \"" + reference
                    + "\" is not in the store " + root + "; see `jrun images`"));
            if (image.names().contains(reference) && image.names().size() > 1) {
                List<String> kept = new ArrayList<>(image.names());
                kept.remove(reference);
                images.write(image.withNames(kept));
                return new RemovalReport(List.of(), List.of(reference), List.of(), List.of());
            }
            if (!force && image.names().size() > 1) {
                throw new StoreException("image " + image.configDigest().digest().shortHex() + " has several names "
                        + image.names() + ": remove them one by one or use --force");
            }
            List<String> users = new ArrayList<>();
            for (ContainerRecord c : containers.records()) {
                if (c.imageId().equals(image.id())) {
                    users.add(c.id());
                }
            }
            if (!force && !users.isEmpty()) {
                throw new StoreException("image " + image.configDigest().digest().shortHex() + " is used by container(s) "
                        + users + ": remove them first (jrun rm -f NAME), or use --force");
            }
            images.delete(image.id());
            List<DiffId> candidateLayers = new ArrayList<>();
            List<BlobDigest> candidateBlobs = new ArrayList<>();
            addReferences(image, candidateLayers, candidateBlobs);
            return collectGarbage(List.of(image.id()), candidateLayers, candidateBlobs);
        } catch (IOException e) {
            throw new StoreException("cannot remove image \"" + reference + "\" from " + root + ": " + e.getMessage(), e);
        }
    }

    /** See {@link Store#prune}. */
    RemovalReport prune() throws StoreException {
        try (StoreLock.Hold gc = locks.lockForDeletion(); StoreLock.Hold ignored = locks.lockMutations()) {
            Set<String> inUse = new HashSet<>();
            for (ContainerRecord c : containers.records()) {
                inUse.add(c.imageId());
            }
            List<String> removed = new ArrayList<>();
            for (ImageRecord image : images.images()) {
                if (image.names().isEmpty() && !inUse.contains(image.id())) {
                    images.delete(image.id());
                    removed.add(image.id());
                }
            }
            removeLeftovers();
            return collectGarbage(removed, layers.allLayers(), blobs.allBlobs());
        } catch (IOException e) {
            throw new StoreException("cannot prune the store " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes what killed jrun processes left behind: stale temporary files, and container
     * areas nothing will ever remove. Run by every opening of the store and by prune.
     */
    void removeLeftovers() throws StoreException {
        temporaries.removeStale();
        containers.removeDebris();
    }

    /**
     * Deletes layers and blobs nobody refers to. The references are derived from the image and
     * container records every time rather than counted, so a crash cannot leave a wrong count.
     * Only {@code candidate} layers and blobs are considered.
     */
    private RemovalReport collectGarbage(List<String> removedImages, List<DiffId> candidateLayers,
                                         List<BlobDigest> candidateBlobs) throws IOException, StoreException {
        Set<DiffId> usedLayers = new HashSet<>();
        Set<BlobDigest> usedBlobs = new HashSet<>();
        for (ImageRecord image : images.images()) {
            addReferences(image, usedLayers, usedBlobs);
        }
        for (ContainerRecord c : containers.records()) {
            usedLayers.addAll(c.layers());
        }
        List<DiffId> unusedLayers = new ArrayList<>();
        List<BlobDigest> unusedBlobs = new ArrayList<>();
        for (DiffId layer : new LinkedHashSet<>(candidateLayers)) {
            if (!usedLayers.contains(layer) && Files.exists(layers.layerDir(layer), LinkOption.NOFOLLOW_LINKS)) {
                unusedLayers.add(layer);
            }
        }
        for (BlobDigest blob : new LinkedHashSet<>(candidateBlobs)) {
            if (!usedBlobs.contains(blob) && Files.exists(blobs.blobPath(blob), LinkOption.NOFOLLOW_LINKS)) {
                unusedBlobs.add(blob);
            }
        }
        for (DiffId layer : unusedLayers) {
            layers.delete(layer);
        }
        for (BlobDigest blob : unusedBlobs) {
            blobs.delete(blob);
        }
        return new RemovalReport(removedImages, List.of(), unusedLayers, unusedBlobs);
    }

    /** What an image refers to: its config and manifest blobs, and each layer's diffID and blob. */
    private static void addReferences(ImageRecord image, Collection<DiffId> layerRefs, Collection<BlobDigest> blobRefs) {
        blobRefs.add(image.configDigest());
        if (image.manifestDigest() != null) {
            blobRefs.add(image.manifestDigest());
        }
        for (LayerRef layer : image.layers()) {
            layerRefs.add(layer.diffId());
            blobRefs.add(layer.digest());
        }
    }
}
