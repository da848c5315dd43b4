package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.ids.RandomIds;
import dev.jrun.image.tar.TarInput;
import dev.jrun.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Stream helpers for archives: decompression (sniffed by {@link TarInput}), the size cap, private temporary names. */
final class ArchiveStreams {
    private ArchiveStreams() {
    }

    /**
     * The uncompressed stream: gzip is detected from its magic bytes (as docker load does),
     * plain tar passes through; other compressions are named and refused.
     */
    static InputStream decompressed(InputStream in, String source) throws JrunException, IOException {
        try {
            return TarInput.decompressed(in);
        } catch (TarInput.UnsupportedCompression e) {
            throw new JrunException(source + " is " + e.compressionName() + "-compressed; jrun reads plain or"
                    + " gzip-compressed archives: decompress it first (e.g. " + e.decompressor() + ") and try again");
        }
    }

    /** A new private (0700) directory in the store's tmp/, named so the store removes it if jrun dies. */
    static Path privateTempDir(Path storeTmp, String kind) throws IOException {
        Path dir = storeTmp.resolve(Store.tempName(kind));
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    /** A random suffix for temporary names next to an output file. */
    static String randomSuffix() {
        return RandomIds.hex(8);
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
}
