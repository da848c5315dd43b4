package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What whiteouts and lower layers' content mean to the tree {@link TreeWriter} writes: one
 * layer's directory for overlayfs records them ({@link OverlayWhiteouts}); a flattened copy of
 * several layers applies them ({@link FlattenedWhiteouts}).
 */
sealed interface WhiteoutPolicy permits OverlayWhiteouts, FlattenedWhiteouts {

    /** A new layer begins (flattening applies several into one tree). */
    void startLayer(TreeWriter tree) throws IOException;

    /** A directory entry over a directory that exists already: they merge. */
    void keepDirectory(TreeWriter tree, Path dir, String rel) throws IOException;

    /**
     * An entry needs {@code rel} as a parent directory and finds {@code existing} there.
     *
     * @return true if {@code p} is (now) a directory to write into; false if the layer must be
     * refused (a symlink or file of this layer: writing below it would follow it)
     */
    boolean parentExists(TreeWriter tree, Path p, String rel, BasicFileAttributes existing) throws IOException;

    /** {@code .wh..wh..opq} in {@code dir}: the lower layers' content of that directory is hidden. */
    void opaque(TreeWriter tree, Path dir, String rel) throws IOException;

    /** {@code .wh.NAME}: the lower layers' {@code target} is hidden. */
    void whiteout(TreeWriter tree, Path target, String rel) throws IOException;

    /** True if this layer made a whiteout at {@code rel}. */
    boolean isWhiteout(String rel);

    /** This layer set the mode of directory {@code rel}. */
    void directoryModeSet(String rel);

    /** {@code rel} and everything below it were removed. */
    void forget(String rel);

    /** All layers were applied. */
    void finishCopy(TreeWriter tree) throws IOException;
}
