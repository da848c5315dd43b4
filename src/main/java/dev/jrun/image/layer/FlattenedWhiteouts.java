package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several layers applied one over the other into one directory, for when overlayfs is
 * unavailable: whiteouts and opaque directories delete what lower layers put there, and a lower
 * layer's symlink or file where an upper layer needs a directory is replaced by the directory,
 * as the overlay would show it (removed, never followed). Lower directories whose mode denies
 * their owner access are opened (u+rwx) while upper layers are applied and restored at the end.
 */
final class FlattenedWhiteouts implements WhiteoutPolicy {
    /** Directories made writable to apply an upper layer -> the mode to restore. */
    private final Map<String, Integer> lockedDirModes = new HashMap<>();

    @Override
    public void startLayer(TreeWriter tree) throws IOException {
        makeWritable(tree.root(), "");
    }

    @Override
    public void keepDirectory(TreeWriter tree, Path dir, String rel) throws IOException {
        makeWritable(dir, rel);
    }

    @Override
    public boolean parentExists(TreeWriter tree, Path p, String rel, BasicFileAttributes existing) throws IOException {
        if (existing.isDirectory()) {
            makeWritable(p, rel);
            return true;
        }
        if (tree.createdInThisLayer(rel)) {
            return false; // this layer's own symlink or file: the writer refuses
        }
        removeLower(tree, p, rel);
        Files.createDirectory(p);
        tree.madeDirectory(rel, true);
        return true;
    }

    @Override
    public void opaque(TreeWriter tree, Path dir, String rel) throws IOException {
        removeLowerChildren(tree, dir, rel);
    }

    @Override
    public void whiteout(TreeWriter tree, Path target, String rel) throws IOException {
        BasicFileAttributes existing = TreeWriter.lstat(target);
        if (existing == null) {
            return;
        }
        if (!tree.createdInThisLayer(rel)) {
            removeLower(tree, target, rel);
        } else if (existing.isDirectory()) {
            // This layer's own directory stays; the lower one's content goes.
            removeLowerChildren(tree, target, rel);
        }
    }

    @Override
    public boolean isWhiteout(String rel) {
        return false;
    }

    @Override
    public void directoryModeSet(String rel) {
        lockedDirModes.remove(rel); // this layer's mode is the one to keep
    }

    @Override
    public void forget(String rel) {
        lockedDirModes.keySet().removeIf(k -> TreeWriter.isAtOrBelow(k, rel));
    }

    @Override
    public void finishCopy(TreeWriter tree) throws IOException {
        List<String> ordered = new ArrayList<>(lockedDirModes.keySet());
        ordered.sort(Comparator.comparingInt(TreeWriter::depth).reversed());
        for (String rel : ordered) {
            Path dir = EntryPath.resolveRelative(tree.root(), rel);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.setAttribute(dir, "unix:mode", lockedDirModes.get(rel), LinkOption.NOFOLLOW_LINKS);
            }
        }
        lockedDirModes.clear();
    }

    private void makeWritable(Path dir, String rel) throws IOException {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        if ((mode & 0700) != 0700) {
            lockedDirModes.putIfAbsent(rel, mode);
            Files.setAttribute(dir, "unix:mode", mode | 0700, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Removes a lower layer's entry with everything recorded below it. */
    private static void removeLower(TreeWriter tree, Path target, String rel) throws IOException {
        BasicFileAttributes a = TreeWriter.lstat(target);
        if (a == null) {
            return;
        }
        if (a.isDirectory()) {
            TreeWriter.deleteTree(target);
        } else {
            Files.delete(target);
        }
        tree.forget(rel);
    }

    /** An opaque directory: everything lower layers put in it goes. */
    private static void removeLowerChildren(TreeWriter tree, Path dir, String rel) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            list.forEach(children::add);
        }
        for (Path child : children) {
            String childName = EntryPath.fileName(child);
            String childRel = rel.isEmpty() ? childName : rel + "/" + childName;
            if (!tree.createdInThisLayer(childRel)) {
                removeLower(tree, child, childRel);
            }
        }
    }
}
