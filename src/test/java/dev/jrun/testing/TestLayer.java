package dev.jrun.testing;

import dev.jrun.oci.Digest;
import dev.jrun.registry.MediaTypes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * One image layer as a registry holds it: a tar (gzip-compressed unless {@link Builder#uncompressed()}),
 * with its compressed digest and its diffID (digest of the tar).
 *
 * <pre>
 *   TestLayer layer = TestLayer.builder()
 *       .dir("etc", 0755, 0, 0)
 *       .file("etc/shadow", bytes, 0640, 0, 42)
 *       .symlink("bin/sh", "busybox")
 *       .hardlink("bin/ls", "bin/busybox")
 *       .whiteout("var/cache/old")          // writes var/cache/.wh.old
 *       .opaque("var/lib")                  // writes var/lib/.wh..wh..opq
 *       .build();
 * </pre>
 */
public record TestLayer(byte[] blob, byte[] tar, Digest digest, Digest diffId, String mediaType) {
    /** A fixed time for entries so that layers (and their digests) are reproducible. */
    public static final Instant MTIME = Instant.parse("2020-01-01T00:00:00Z");

    public long size() {
        return blob.length;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Regular files (mode 0644, root-owned) with their parent directories (0755). */
    public static TestLayer of(Map<String, byte[]> files) {
        Builder builder = builder();
        Set<String> dirs = new LinkedHashSet<>();
        for (String path : files.keySet()) {
            String clean = path.startsWith("/") ? path.substring(1) : path;
            for (int slash = clean.indexOf('/'); slash > 0; slash = clean.indexOf('/', slash + 1)) {
                dirs.add(clean.substring(0, slash));
            }
        }
        dirs.forEach(builder::dir);
        files.forEach((path, content) -> builder.file(path.startsWith("/") ? path.substring(1) : path, content));
        return builder.build();
    }

    /**
     * The host's static busybox as bin/busybox plus symlinks for a few applets (sh, cat, ls, id,
     * echo, true, false, sleep, env, stat, touch, rm, mkdir). Needs busybox-static.
     */
    public static TestLayer busybox() {
        Path binary = Path.of("/bin/busybox");
        Environment.require(Files.isRegularFile(binary), binary + " (apt-get install busybox-static)");
        byte[] content;
        try {
            content = Files.readAllBytes(binary);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + binary, e);
        }
        Builder builder = builder().dir("bin").file("bin/busybox", content, 0755, 0, 0);
        for (String applet : List.of("sh", "cat", "ls", "id", "echo", "true", "false", "sleep", "env", "stat",
                "touch", "rm", "mkdir")) {
            builder.symlink("bin/" + applet, "busybox");
        }
        return builder.dir("tmp", 01777, 0, 0).dir("etc").build();
    }

    public static final class Builder {
        private final List<TarArchiveEntry> entries = new ArrayList<>();
        private final List<byte[]> contents = new ArrayList<>();
        private boolean gzip = true;

        public Builder file(String path, byte[] content) {
            return file(path, content, 0644, 0, 0);
        }

        public Builder file(String path, String content) {
            return file(path, content.getBytes(StandardCharsets.UTF_8));
        }

        /** A regular file; mode may include setuid (04000), setgid (02000) and sticky (01000) bits. */
        public Builder file(String path, byte[] content, int mode, long uid, long gid) {
            TarArchiveEntry entry = entry(path, TarConstants.LF_NORMAL, mode, uid, gid);
            entry.setSize(content.length);
            return add(entry, content);
        }

        public Builder dir(String path) {
            return dir(path, 0755, 0, 0);
        }

        public Builder dir(String path, int mode, long uid, long gid) {
            return add(entry(path.endsWith("/") ? path : path + "/", TarConstants.LF_DIR, mode, uid, gid), null);
        }

        public Builder symlink(String path, String target) {
            return symlink(path, target, 0, 0);
        }

        public Builder symlink(String path, String target, long uid, long gid) {
            TarArchiveEntry entry = entry(path, TarConstants.LF_SYMLINK, 0777, uid, gid);
            entry.setLinkName(target);
            return add(entry, null);
        }

        /** A hard link to {@code target}, a path in this layer (or a lower one). */
        public Builder hardlink(String path, String target) {
            TarArchiveEntry entry = entry(path, TarConstants.LF_LINK, 0644, 0, 0);
            entry.setLinkName(target);
            return add(entry, null);
        }

        /** Deletes {@code path} of lower layers: an empty file named {@code .wh.NAME} beside it. */
        public Builder whiteout(String path) {
            int slash = path.lastIndexOf('/');
            String whiteout = (slash < 0 ? "" : path.substring(0, slash + 1)) + ".wh." + path.substring(slash + 1);
            return file(whiteout, new byte[0]);
        }

        /** Hides everything lower layers have in {@code dir}: {@code dir/.wh..wh..opq}. */
        public Builder opaque(String dir) {
            return file((dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", new byte[0]);
        }

        public Builder charDevice(String path, int major, int minor) {
            TarArchiveEntry entry = entry(path, TarConstants.LF_CHR, 0666, 0, 0);
            entry.setDevMajor(major);
            entry.setDevMinor(minor);
            return add(entry, null);
        }

        public Builder fifo(String path) {
            return add(entry(path, TarConstants.LF_FIFO, 0644, 0, 0), null);
        }

        /**
         * Any entry as given, names not normalised: for hostile layers ("../escape", "/abs",
         * links out of the root). {@code content} may be null for entries without data.
         */
        public Builder raw(TarArchiveEntry entry, byte[] content) {
            return add(entry, content);
        }

        /** Store the tar without gzip (media type ...layer.v1.tar). */
        public Builder uncompressed() {
            gzip = false;
            return this;
        }

        private static TarArchiveEntry entry(String path, byte linkFlag, int mode, long uid, long gid) {
            // preserveAbsolutePath: keep names exactly as the test wrote them.
            TarArchiveEntry entry = new TarArchiveEntry(path, linkFlag, true);
            entry.setMode(mode);
            entry.setUserId(uid);
            entry.setGroupId(gid);
            entry.setModTime(Date.from(MTIME));
            return entry;
        }

        private Builder add(TarArchiveEntry entry, byte[] content) {
            entries.add(entry);
            contents.add(content);
            return this;
        }

        public TestLayer build() {
            try {
                ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    for (int i = 0; i < entries.size(); i++) {
                        tar.putArchiveEntry(entries.get(i));
                        if (contents.get(i) != null) {
                            tar.write(contents.get(i));
                        }
                        tar.closeArchiveEntry();
                    }
                }
                byte[] tar = tarBytes.toByteArray();
                byte[] blob = tar;
                if (gzip) {
                    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
                    try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
                        out.write(tar);
                    }
                    blob = compressed.toByteArray();
                }
                return new TestLayer(blob, tar, Digest.sha256(blob), Digest.sha256(tar),
                        gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR);
            } catch (IOException e) {
                throw new UncheckedIOException("build test layer", e);
            }
        }
    }
}
