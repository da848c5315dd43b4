package dev.jrun.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The store's image records ({@code images/<id>.json}, ID = config digest hex): recording an
 * image and moving its names, and finding one by name or ID.
 */
// Lock holds are try-with-resources whose variable is unused by design.
@SuppressWarnings("try")
final class ImageRecords {
    private final Path root;
    private final StoreLocks locks;
    private final StoreFiles files;
    private final Blobs blobs;
    private final Layers layers;

    ImageRecords(Path root, StoreLocks locks, StoreFiles files, Blobs blobs, Layers layers) {
        this.root = root;
        this.locks = locks;
        this.files = files;
        this.blobs = blobs;
        this.layers = layers;
    }

    private Path imageFile(String id) {
        return root.resolve("images").resolve(id + ".json");
    }

    /** See {@link Store#putImage}. */
    ImageRecord putImage(ImageRecord image) throws StoreException {
        try (StoreLock.Hold ignored = locks.lockMutations()) {
            for (LayerRef layer : image.layers()) {
                if (!layers.hasLayer(layer.diffId())) {
                    throw new StoreException("cannot record image " + image.id() + ": its layer " + layer.diffId()
                            + " is not unpacked in the store; pull the image again");
                }
            }
            if (!blobs.hasBlob(image.configDigest())) {
                throw new StoreException("cannot record image " + image.id() + ": its config blob "
                        + image.configDigest() + " is not in the store; pull the image again");
            }
            if (image.manifestDigest() != null && !blobs.hasBlob(image.manifestDigest())) {
                throw new StoreException("cannot record image " + image.id() + ": its manifest blob "
                        + image.manifestDigest() + " is not in the store; pull the image again");
            }
            for (ImageRecord other : images()) {
                if (other.id().equals(image.id())) {
                    continue;
                }
                List<String> kept = new ArrayList<>(other.names());
                if (kept.removeAll(image.names())) {
                    write(other.withNames(kept));
                }
            }
            Set<String> names = new LinkedHashSet<>(image.names());
            Optional<ImageRecord> existing = readImage(image.id());
            existing.ifPresent(e -> names.addAll(e.names()));
            ImageRecord stored = image.withNames(List.copyOf(names))
                    .withStored(existing.map(ImageRecord::stored).orElse(Instant.now().toString()));
            write(stored);
            return stored;
        } catch (IOException e) {
            throw new StoreException("cannot record image " + image.id() + " in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Replaces an image's record (the caller holds the mutation lock). */
    void write(ImageRecord image) throws IOException {
        files.writeJsonAtomically(imageFile(image.id()), image);
    }

    /** Deletes an image's record (the caller holds the mutation lock). */
    void delete(String id) throws IOException {
        Files.deleteIfExists(imageFile(id));
    }

    List<ImageRecord> images() throws StoreException {
        List<ImageRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root.resolve("images"), "*.json")) {
            for (Path p : dir) {
                String id = p.getFileName().toString().replaceFirst("\\.json$", "");
                readImage(id).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new StoreException("cannot list images in " + root.resolve("images") + ": " + e.getMessage(), e);
        }
        return out;
    }

    private Optional<ImageRecord> readImage(String id) throws StoreException {
        Path file = imageFile(id);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(files.readJson(file, ImageRecord.class, "image " + id));
    }

    /** See {@link Store#findImage}. */
    Optional<ImageRecord> findImage(String reference) throws StoreException {
        List<ImageRecord> all = images();
        for (ImageRecord image : all) {
            if (image.names().contains(reference)) {
                return Optional.of(image);
            }
        }
        String prefix = reference.startsWith("sha256:") ? reference.substring("sha256:".length()) : reference;
        if (prefix.length() < 3 || !prefix.matches("[0-9a-f]+")) {
            return Optional.empty();
        }
        List<ImageRecord> matches = new ArrayList<>();
        for (ImageRecord image : all) {
            if (image.id().startsWith(prefix)) {
                matches.add(image);
            }
        }
        if (matches.size() > 1) {
            List<String> ids = new ArrayList<>();
            matches.forEach(m -> ids.add(m.configDigest().digest().shortHex()));
            throw new StoreException("image ID prefix \"" + prefix + "\" is ambiguous: it matches " + ids
                    + "; give more digits");
        }
        return matches.stream().findFirst();
    }
}
