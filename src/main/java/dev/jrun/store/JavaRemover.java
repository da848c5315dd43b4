package dev.jrun.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Removes a tree as the caller: makes each directory writable and searchable (an image may
 * ship 0555 or 0000 directories), deletes without following symlinks (walkFileTree reports a
 * symlink as a file and never enters it).
 */
public final class JavaRemover implements Remover {

    @Override
    public void removeTree(Path path) throws IOException {
        BasicFileAttributes top;
        try {
            top = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!top.isDirectory()) {
            Files.deleteIfExists(path);
            return;
        }
        // Make the top writable first: preVisitDirectory runs only after the walk opened it.
        makeUsable(path);
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                makeUsable(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                // A directory we could not open: make it usable and retry once.
                if (exc instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    makeUsable(file);
                    removeTree(file);
                    return FileVisitResult.CONTINUE;
                }
                throw new IOException("cannot remove " + file + ": " + exc.getMessage()
                        + " (files owned by other users, e.g. a container's subordinate UIDs, must be removed"
                        + " inside the user namespace)", exc);
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void makeUsable(Path dir) throws IOException {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0700) != 0700) {
            Files.setAttribute(dir, "unix:mode", (mode & 07777) | 0700, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
