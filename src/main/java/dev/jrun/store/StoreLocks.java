package dev.jrun.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The store's two lock files (see {@code package-info.java}): {@code lock}, held exclusively
 * around every mutation (short), and {@code gc.lock}, shared while a pull is in progress and
 * exclusive while rmi/prune delete, so they never delete what a pull is about to record.
 */
final class StoreLocks {
    private final Path root;
    private final StoreLock mutationLock;
    private final StoreLock gcLock;

    StoreLocks(Path root) {
        this.root = root;
        this.mutationLock = StoreLock.of(root.resolve("lock"));
        this.gcLock = StoreLock.of(root.resolve("gc.lock"));
    }

    /** Shared {@code gc.lock}: nothing this process stores is deleted while it is held. */
    StoreLock.Hold protectFromDeletion() throws StoreException {
        return take(gcLock::shared, "gc.lock");
    }

    /** Exclusive {@code gc.lock}: no pull is between storing its layers and recording its image. */
    StoreLock.Hold lockForDeletion() throws StoreException {
        return take(gcLock::exclusive, "gc.lock");
    }

    /** Exclusive {@code lock}, around every change of the store's records and directories. */
    StoreLock.Hold lockMutations() throws StoreException {
        return take(mutationLock::exclusive, "lock");
    }

    private interface Acquire {
        StoreLock.Hold acquire() throws IOException;
    }

    private StoreLock.Hold take(Acquire acquire, String lockFile) throws StoreException {
        try {
            return acquire.acquire();
        } catch (IOException e) {
            throw new StoreException("cannot lock the image store " + root + " (" + lockFile + "): " + e.getMessage(), e);
        }
    }
}
