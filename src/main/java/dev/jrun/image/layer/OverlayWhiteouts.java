package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * One layer's own directory, for overlayfs (see {@link LayerFormat}): a whiteout becomes a 0/0
 * character device, an opaque directory gets the opaque xattr. Per the OCI image spec a
 * whiteout hides only lower layers: a {@code .wh.NAME} for a NAME this layer also contains
 * keeps this layer's NAME, and if it is a directory marks it opaque.
 */
final class OverlayWhiteouts implements WhiteoutPolicy {
    private final WhiteoutMaker maker;
    /** Relative paths of the whiteouts made in this layer. */
    private final Set<String> whiteouts = new HashSet<>();

    OverlayWhiteouts(WhiteoutMaker maker) {
        this.maker = maker;
    }

    @Override
    public void startLayer(TreeWriter tree) {
        whiteouts.clear();
    }

    @Override
    public void keepDirectory(TreeWriter tree, Path dir, String rel) {
    }

    @Override
    public boolean parentExists(TreeWriter tree, Path p, String rel, BasicFileAttributes existing) throws IOException {
        if (existing.isDirectory()) {
            return true;
        }
        if (!whiteouts.remove(rel)) {
            return false;
        }
        // A whiteout, then entries below the same name: the directory replaces the whiteout
        // and, being this layer's, is opaque over the lower one.
        Files.delete(p);
        Files.createDirectory(p);
        tree.madeDirectory(rel, false);
        tree.markOpaque(p, rel);
        return true;
    }

    @Override
    public void opaque(TreeWriter tree, Path dir, String rel) throws IOException {
        tree.markOpaque(dir, rel);
    }

    @Override
    public void whiteout(TreeWriter tree, Path target, String rel) throws IOException {
        BasicFileAttributes existing = TreeWriter.lstat(target);
        if (existing == null) {
            maker.makeWhiteout(target);
            whiteouts.add(rel);
        } else if (existing.isDirectory() && !whiteouts.contains(rel)) {
            // The directory is this layer's own; the whiteout hides only the lower one.
            tree.markOpaque(target, rel);
        }
        // A file or symlink this layer already put at NAME hides the lower NAME by itself.
    }

    @Override
    public boolean isWhiteout(String rel) {
        return whiteouts.contains(rel);
    }

    @Override
    public void directoryModeSet(String rel) {
    }

    @Override
    public void forget(String rel) {
        whiteouts.removeIf(k -> TreeWriter.isAtOrBelow(k, rel));
    }

    @Override
    public void finishCopy(TreeWriter tree) {
    }
}
