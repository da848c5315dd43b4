package dev.jrun.store;

import dev.jrun.oci.DiffId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The store's unpacked layers, keyed by diffID and shared by all images:
 * {@code layers/<alg>/<hex>/} holds {@code diff/} (the overlay lowerdir) and {@code layer.json},
 * whose presence marks a committed layer. A layer is unpacked into {@code tmp/} and renamed
 * into place by {@link LayerTransaction#commit}.
 */
final class Layers {
    private final DigestDirectory dir;
    private final StoreLocks locks;
    private final StoreFiles files;
    private final Temporaries temporaries;
    private final Remover remover;

    Layers(Path root, StoreLocks locks, StoreFiles files, Temporaries temporaries, Remover remover) {
        this.dir = new DigestDirectory(root.resolve("layers"));
        this.locks = locks;
        this.files = files;
        this.temporaries = temporaries;
        this.remover = remover;
    }

    Path layerDir(DiffId diffId) {
        return dir.entry(diffId.digest());
    }

    Path layerDiffDir(DiffId diffId) {
        return layerDir(diffId).resolve("diff");
    }

    boolean hasLayer(DiffId diffId) {
        return Files.isRegularFile(layerDir(diffId).resolve("layer.json"), LinkOption.NOFOLLOW_LINKS);
    }

    List<DiffId> allLayers() throws IOException {
        return dir.list(DiffId::new);
    }

    LayerMetadata layerMetadata(DiffId diffId) throws StoreException {
        return files.readJson(layerDir(diffId).resolve("layer.json"), LayerMetadata.class, "layer " + diffId);
    }

    LayerTransaction beginLayer(DiffId expected) throws StoreException {
        Path temp = temporaries.newTempPath("layer");
        try {
            Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(temp.resolve("diff"));
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary directory in " + temporaries.dir() + " for layer "
                    + expected + ": " + e.getMessage(), e);
        }
        return new LayerTransaction(this, locks, files, remover, expected, temp);
    }

    /** Deletes a layer nothing refers to (the caller holds the deletion and mutation locks). */
    void delete(DiffId layer) throws IOException {
        // Rename out of the way first: a half-deleted layer must never look committed.
        Path doomed = temporaries.newTempPath("removed");
        Files.move(layerDir(layer), doomed, StandardCopyOption.ATOMIC_MOVE);
        remover.removeTree(doomed);
    }
}
