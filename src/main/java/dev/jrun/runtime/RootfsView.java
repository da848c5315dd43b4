package dev.jrun.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Read-only look at a container's files from the host, before the container exists: for
 * /etc/passwd, /etc/group and which mount points exist.
 *
 * <p>The files are hostile: a rootfs may hold {@code etc -> /} so that "/etc/passwd" would be
 * the host's. So each path is walked component by component without following symlinks; a
 * symlink anywhere on the way makes the answer {@link Kind#SYMLINK} ("resolve it inside the
 * container"), and files are read only when every component is a real directory or file.
 */
public final class RootfsView {
    public enum Kind { MISSING, DIRECTORY, FILE, SYMLINK, OTHER }

    private final RootFs rootfs;
    /** The host UID that container root is, when it is not jrun's own (--userns-remap); -1 otherwise. */
    private final long rootHostUid;

    public RootfsView(RootFs rootfs) {
        this(rootfs, -1);
    }

    /**
     * @param rootHostUid the host UID of container root when it is not this process's (root
     *     running --userns-remap): whether it may create a file is decided for that UID, since
     *     host root's own write access means nothing inside the container
     */
    public RootfsView(RootFs rootfs, long rootHostUid) {
        this.rootfs = rootfs;
        this.rootHostUid = rootHostUid;
    }

    /** What {@code containerPath} is in the topmost layer that has it. */
    public Kind kind(String containerPath) {
        for (Path layer : rootfs.layersTopDown()) {
            Kind k = kindIn(layer, containerPath);
            if (k != Kind.MISSING) return k;
        }
        return Kind.MISSING;
    }

    /** The file's bytes, if it is a regular file reached without symlinks and not over {@code limit}. */
    public Optional<byte[]> read(String containerPath, int limit) throws IOException {
        for (Path layer : rootfs.layersTopDown()) {
            Kind k = kindIn(layer, containerPath);
            if (k == Kind.MISSING) continue;
            if (k != Kind.FILE) return Optional.empty();
            Path file = layer.resolve(relative(containerPath));
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes = in.readNBytes(limit + 1);
                if (bytes.length > limit) {
                    throw new IOException(containerPath + " in the container is larger than " + limit + " bytes");
                }
                return Optional.of(bytes);
            }
        }
        return Optional.empty();
    }

    /** Whether the caller may create entries in {@code containerDir} on the host side. */
    public boolean canCreateIn(String containerDir) {
        if (rootfs instanceof RootFs.Overlay) return true;   // the private upper layer takes writes
        Path top = rootfs.layersTopDown().get(0);
        if (kindIn(top, containerDir) != Kind.DIRECTORY) return false;
        Path dir = top.resolve(relative(containerDir));
        if (rootHostUid < 0) return Files.isWritable(dir);
        try {
            // Container root has its capabilities only over files its user namespace maps; a
            // directory of host root's is "other" to it (user_namespaces(7)).
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return owner == rootHostUid ? (mode & 0200) != 0 : (mode & 0002) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Kind kindIn(Path layer, String containerPath) {
        Path current = layer;
        String rel = relative(containerPath);
        if (rel.isEmpty()) return Kind.DIRECTORY;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".")) continue;
            if (parts[i].equals("..")) return Kind.SYMLINK;   // let the container's own resolution decide
            current = current.resolve(parts[i]);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return Kind.MISSING;
            }
            if (a.isSymbolicLink()) return Kind.SYMLINK;
            boolean last = i == parts.length - 1;
            if (last) {
                if (a.isDirectory()) return Kind.DIRECTORY;
                return a.isRegularFile() ? Kind.FILE : Kind.OTHER;
            }
            if (!a.isDirectory()) return Kind.MISSING;
        }
        return Kind.DIRECTORY;
    }

    private static String relative(String containerPath) {
        String p = containerPath;
        while (p.startsWith("/")) p = p.substring(1);
        return p;
    }
}
