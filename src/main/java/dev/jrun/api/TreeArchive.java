package dev.jrun.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A directory as a tar stream, for copies into and out of a container: written on the host from
 * a directory (for `tar -x` inside the container), and read on the host into a directory (from
 * `tar -c` inside it). What comes out of a container is hostile: its names may climb out with
 * {@code ..} or be absolute, and a symlink entry may be followed by entries "through" it that
 * would land anywhere on the host. So every entry is resolved under the target, each of its
 * parents must be a real directory there (never a symlink), a file replaces what was at its
 * place instead of writing through it, and a hard link may only name a file this copy wrote.
 */
final class TreeArchive {
    private TreeArchive() {}

    /** The tree under {@code dir} (not {@code dir} itself), symlinks as links (never followed). */
    static byte[] pack(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            // GNU long names: busybox tar reads them (its PAX support is partial), GNU tar does.
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!d.equals(dir)) put(tar, dir, d, attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    put(tar, dir, f, attrs);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return bytes.toByteArray();
    }

    private static void put(TarArchiveOutputStream tar, Path root, Path p, BasicFileAttributes attrs) throws IOException {
        String name = root.relativize(p).toString();
        TarArchiveEntry e;
        if (attrs.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (attrs.isDirectory()) {
            e = new TarArchiveEntry(name + "/");
        } else if (attrs.isRegularFile()) {
            e = new TarArchiveEntry(name);
            e.setSize(attrs.size());
        } else {
            throw new IOException(p + " is neither a file, a directory nor a symbolic link (a device, fifo or socket): "
                    + "copy it some other way");
        }
        e.setMode((e.isSymbolicLink() ? 0120000 : e.isDirectory() ? 040000 : 0100000)
                | mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
        e.setLastModifiedTime(attrs.lastModifiedTime());
        // The container's root owns what is copied in, as with `docker cp` (tar -x runs with -o).
        e.setUserId(0);
        e.setGroupId(0);
        tar.putArchiveEntry(e);
        if (attrs.isRegularFile() && !attrs.isSymbolicLink()) {
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(tar);
            }
        }
        tar.closeArchiveEntry();
    }

    /**
     * Writes the archive's tree into {@code target} (made if missing; what it holds stays unless
     * an entry replaces it). Directory modes are applied last, so a read-only directory from the
     * container is filled first. Set-ID and sticky bits are dropped: the files become the host
     * user's own.
     */
    static void unpack(byte[] archive, Path target) throws IOException {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a directory: give a directory to copy a directory into");
        }
        Files.createDirectories(target);
        Path root = target.toRealPath();
        Set<Path> written = new HashSet<>();
        List<DirectoryMode> dirModes = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path to = place(root, e.getName());
                if (to == null) continue;   // "." or "./": the target itself
                Files.createDirectories(realParent(root, to));
                if (e.isDirectory()) {
                    if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(to);
                        Files.createDirectory(to);
                    }
                    written.remove(to);
                    dirModes.add(new DirectoryMode(to, e.getMode(), e.getLastModifiedTime()));
                } else if (e.isSymbolicLink()) {
                    replace(to);
                    written.remove(to);
                    // Made as written, never followed: no later entry may go through it (realParent).
                    Files.createSymbolicLink(to, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    Path linked = place(root, e.getLinkName());
                    if (linked == null || !written.contains(linked)) {
                        throw new IOException("hard link " + e.getName() + " names " + e.getLinkName()
                                + ", not a file copied before it");
                    }
                    replace(to);
                    Files.createLink(to, linked);
                } else if (e.isFile()) {
                    replace(to);
                    try (OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(out);
                    }
                    Files.setPosixFilePermissions(to, permissions(e.getMode()));
                    Files.setLastModifiedTime(to, e.getLastModifiedTime());
                    written.add(to);
                } else {
                    throw new IOException(e.getName() + " is a device, fifo or other special file: jrun copies files, "
                            + "directories and links only");
                }
            }
        }
        // Deepest first: a directory's mode and time are set after everything in it.
        for (int i = dirModes.size() - 1; i >= 0; i--) {
            DirectoryMode d = dirModes.get(i);
            Files.setPosixFilePermissions(d.dir(), permissions(d.mode()));
            Files.setLastModifiedTime(d.dir(), d.modified());
        }
    }

    private record DirectoryMode(Path dir, int mode, FileTime modified) {}

    /** Where entry {@code name} goes under {@code root}; null for the root itself. */
    static Path place(Path root, String name) throws IOException {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        if (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        if (n.isEmpty() || n.equals(".")) return null;
        if (n.startsWith("/")) throw new IOException("the archive names an absolute path " + name + "; refused");
        Path p = root;
        for (String part : n.split("/")) {
            if (part.equals("..")) throw new IOException("the archive names " + name + ", which climbs out with ..; refused");
            if (part.isEmpty() || part.equals(".")) continue;
            p = p.resolve(part);
        }
        return p.equals(root) ? null : p;
    }

    /** {@code to}'s parent, made of real directories under {@code root}: a symlink on the way is refused. */
    private static Path realParent(Path root, Path to) throws IOException {
        Path parent = to.getParent();
        for (Path p = parent; !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("the archive puts " + root.relativize(to) + " beneath the symbolic link "
                        + root.relativize(p) + "; refused (it could point anywhere on this host)");
            }
        }
        return parent;
    }

    /** Removes a file or link at {@code to} (never what a link points at); a directory there is an error. */
    private static void replace(Path to) throws IOException {
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(to + " is a directory and the archive has a file there");
        }
        Files.deleteIfExists(to);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values();   // OWNER_READ ... OTHERS_EXECUTE, 0400 down to 0001
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) out.add(bits[i]);
        return out;
    }

    private static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) mode |= 0400 >> p.ordinal();
        return mode;
    }
}
