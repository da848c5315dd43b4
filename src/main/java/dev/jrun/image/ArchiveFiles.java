package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The files of an image archive, by canonical name ({@link ArchivePaths#clean}): a tar spooled
 * into the store's temporary area ({@link SpooledTar}) or an OCI layout directory
 * ({@link LayoutDirectory}).
 */
interface ArchiveFiles extends AutoCloseable {

    /** "archive /tmp/x.tar", "OCI layout directory /tmp/d", "standard input": for messages. */
    String source();

    /** Whether the archive has a regular file (or a link to one) of that name. */
    default boolean has(String name) {
        try {
            file(name, "");
            return true;
        } catch (JrunException e) {
            return false;
        }
    }

    /**
     * A regular file of the archive; links inside the archive are followed, never out of it.
     *
     * @param what who asked for it, for the message when it is missing
     */
    ArchiveFile file(String name, String what) throws JrunException;

    @Override
    void close() throws JrunException;

    /** Reads a small file (JSON) whole, refusing one larger than {@code max} bytes. */
    default byte[] readSmall(String name, int max, String what) throws JrunException {
        ArchiveFile file = file(name, what);
        if (file.size() > max) {
            throw new JrunException(what + ": " + name + " in " + source() + " is " + file.size()
                    + " bytes, more than the " + max + " jrun reads into memory; the archive is broken or hostile"
                    + " and was not loaded");
        }
        try (InputStream in = file.open()) {
            return in.readNBytes(max + 1);
        } catch (IOException e) {
            throw new JrunException(what + ": cannot read " + name + " of " + source() + ": " + e.getMessage(), e);
        }
    }

    /** One regular file: where its bytes are, how many, and their sha256 if already known. */
    final class ArchiveFile {
        private final String name;
        private final Path path;
        private final long size;
        private Digest sha256;

        ArchiveFile(String name, Path path, long size, Digest sha256) {
            this.name = name;
            this.path = path;
            this.size = size;
            this.sha256 = sha256;
        }

        String name() {
            return name;
        }

        long size() {
            return size;
        }

        /** Where the bytes are (a spooled file in the store's tmp/, or a file of a layout directory). */
        Path path() {
            return path;
        }

        InputStream open() throws IOException {
            return Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
        }

        /** The digest of the content with {@code algorithm}; sha256 is computed once. */
        Digest digest(Digest.Algorithm algorithm) throws IOException {
            if (algorithm == Digest.Algorithm.SHA256 && sha256 != null) {
                return sha256;
            }
            java.security.MessageDigest md = algorithm.newHasher();
            byte[] buf = new byte[1 << 16];
            try (InputStream in = open()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            Digest d = Digest.of(algorithm, md.digest());
            if (algorithm == Digest.Algorithm.SHA256) {
                sha256 = d;
            }
            return d;
        }

        /** Whether the content starts with the gzip magic. */
        boolean gzipped() throws IOException {
            try (InputStream in = open()) {
                byte[] head = in.readNBytes(2);
                return head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            }
        }
    }
}
