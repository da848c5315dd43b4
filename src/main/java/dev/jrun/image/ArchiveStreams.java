package dev.jrun.image;

import dev.jrun.errors.JrunException;
import java.io.BufferedInputStream;
import dev.jrun.store.ObservedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Stream helpers for archives: compression detection, the size cap, private temporary names. */
final class ArchiveStreams {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ArchiveStreams() {
    }

    /**
     * The uncompressed stream: gzip is detected from its magic bytes (as docker load does),
     * plain tar passes through; other compressions are named and refused.
     */
    static InputStream decompressed(InputStream in, String source) throws JrunException, IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(8);
        byte[] head = buffered.readNBytes(6);
        buffered.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            // concatenated members, as Go's gzip reader (docker, podman) reads them
            return GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
        }
        String other = null;
        if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            other = "zstd";
        } else if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X') {
            other = "xz";
        } else if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            other = "bzip2";
        }
        if (other != null) {
            throw new JrunException(source + " is " + other + "-compressed; jrun reads plain or gzip-compressed"
                    + " archives: decompress it first (e.g. " + (other.equals("bzip2") ? "bunzip2" : other.equals("xz")
                    ? "unxz" : "zstd -d") + ") and try again");
        }
        return buffered;
    }

    /** A new private (0700) directory in the store's tmp/, named so the store removes it if jrun dies. */
    static Path privateTempDir(Path storeTmp, String kind) throws IOException {
        Path dir = storeTmp.resolve(kind + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    /** A random suffix for temporary names next to an output file. */
    static String randomSuffix() {
        return Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /** Removes a temporary tree this process created (regular files and directories only). */
    static void removeTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // the store removes leftovers of dead processes from tmp/
                }
            });
        } catch (IOException e) {
            // as above
        }
    }

    /** Thrown by {@link Limited} when the archive is longer than the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    /** Fails once more than {@code limit} bytes were read: the decompression-bomb guard. */
    static final class Limited extends ObservedInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        long count() {
            return count;
        }

        @Override
        protected void observe(byte[] b, int off, int len) throws IOException {
            if ((count += len) > limit) throw new TooLarge(limit);
        }
    }
}
