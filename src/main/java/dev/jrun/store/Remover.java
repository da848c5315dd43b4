package dev.jrun.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Removes a directory tree from the store. Layers and container upper directories hold files
 * owned by the image's users, i.e. by the caller's subordinate UIDs on the host, which the
 * caller cannot delete directly; the runtime plugs in an implementation that removes them
 * inside the user namespace (where those UIDs are mapped and the caller is root).
 * {@link JavaRemover} does it as the caller, for trees the caller owns.
 *
 * <p>Implementations must not follow symlinks (a layer's symlink to /home must not empty
 * the user's home: the "rm -rf through a symlink" class of bugs), must cope with directories
 * without write permission, and must succeed if the path does not exist.
 */
@FunctionalInterface
public interface Remover {
    void removeTree(Path path) throws IOException;
}
