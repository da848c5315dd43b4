package dev.jrun.store;

import dev.jrun.oci.DiffId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A layer being unpacked; see {@link Store#beginLayer}. */
// Lock holds are try-with-resources whose variable is unused by design.
@SuppressWarnings("try")
public final class LayerTransaction implements AutoCloseable {
    private final Layers layers;
    private final StoreLocks locks;
    private final StoreFiles files;
    private final Remover remover;
    private final DiffId diffId;
    private final Path dir;
    private boolean done;

    LayerTransaction(Layers layers, StoreLocks locks, StoreFiles files, Remover remover, DiffId diffId, Path dir) {
        this.layers = layers;
        this.locks = locks;
        this.files = files;
        this.remover = remover;
        this.diffId = diffId;
        this.dir = dir;
    }

    public DiffId diffId() {
        return diffId;
    }

    /** The temporary layer directory; files other than {@code diff/} travel with the commit (e.g. ownership.json). */
    public Path dir() {
        return dir;
    }

    /** Unpack the layer's content here. */
    public Path diffDir() {
        return dir.resolve("diff");
    }

    /**
     * Writes {@code layer.json} and renames the directory into place: the rename is the
     * commit point, so no one ever sees a half-unpacked layer. If another process committed
     * the same layer meanwhile, that one is kept and this copy discarded.
     *
     * @return the committed layer's {@code diff} directory
     */
    public Path commit(LayerMetadata metadata) throws StoreException {
        if (done) {
            throw new IllegalStateException("layer transaction already finished");
        }
        if (!metadata.diffId().equals(diffId)) {
            throw new StoreException("refusing to store layer " + diffId + ": its content has diffID "
                    + metadata.diffId() + "; the image is corrupt or was tampered with");
        }
        Path target = layers.layerDir(diffId);
        try (StoreLock.Hold ignored = locks.lockMutations()) {
            files.writeJsonAtomically(dir.resolve("layer.json"), metadata);
            if (layers.hasLayer(diffId)) {
                discard();
                return layers.layerDiffDir(diffId);
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // A directory without layer.json cannot come from a commit; remove the debris.
                remover.removeTree(target);
            }
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            StoreFiles.fsyncDirectory(target.getParent());
            done = true;
            return layers.layerDiffDir(diffId);
        } catch (IOException e) {
            throw new StoreException("cannot commit layer " + diffId + " into " + target + ": " + e.getMessage(), e);
        }
    }

    private void discard() throws IOException {
        done = true;
        remover.removeTree(dir);
    }

    /** Discards the temporary directory unless committed. */
    @Override
    public void close() throws StoreException {
        if (!done) {
            try {
                discard();
            } catch (IOException e) {
                throw new StoreException("cannot remove the unfinished layer " + dir + ": " + e.getMessage()
                        + "; it is removed the next time jrun opens the store", e);
            }
        }
    }
}
