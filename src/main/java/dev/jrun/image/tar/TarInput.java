package dev.jrun.image.tar;

import dev.jrun.oci.Digest;
import dev.jrun.store.DigestingInputStream;
import dev.jrun.store.ObservedInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A tar stream as jrun reads every archive (layers, docker-archive and OCI archives, imports):
 * compression sniffed from the first bytes (gzip is unpacked, zstd/xz/bzip2 are named and
 * refused), the uncompressed bytes counted against a limit and hashed (a layer's diffID), and
 * every failure of the source tagged as {@link SourceReadException} so that a caller tells a
 * broken input from a failure of its own writing.
 */
public final class TarInput {
    private static final int BUFFER = 256 * 1024;

    /** What the first bytes said. */
    public enum Compression { NONE, GZIP }

    private final Compression compression;
    private final DigestingInputStream digesting;
    private final TarReader reader;

    private TarInput(Compression compression, DigestingInputStream digesting, InputStream tarBytes) {
        this.compression = compression;
        this.digesting = digesting;
        this.reader = new TarReader(tarBytes);
    }

    /**
     * @param maxUncompressedBytes the decompression-bomb guard: reading past it throws {@link TooLarge}
     * @throws UnsupportedCompression zstd, xz or bzip2
     */
    public static TarInput open(InputStream raw, long maxUncompressedBytes) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(new SourceTagging(raw), BUFFER);
        Compression compression = sniff(buffered);
        InputStream plain = compression == Compression.GZIP
                // concatenated members, as Go's gzip reader reads them
                ? GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get()
                : buffered;
        DigestingInputStream digesting = new DigestingInputStream(new SourceTagging(plain), Digest.Algorithm.SHA256);
        InputStream limited = new Limited(digesting, maxUncompressedBytes);
        return new TarInput(compression, digesting, new BufferedInputStream(limited, BUFFER));
    }

    /**
     * {@code raw} uncompressed: gzip (concatenated members, as Go reads them) is unpacked, plain
     * data passes through.
     *
     * @throws UnsupportedCompression zstd, xz or bzip2
     */
    public static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
        return sniff(buffered) == Compression.GZIP
                ? GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get()
                : buffered;
    }

    /** {@code in}, failing with {@link TooLarge} once more than {@code limit} bytes were read. */
    public static InputStream limited(InputStream in, long limit) {
        return new Limited(in, limit);
    }

    public Compression compression() {
        return compression;
    }

    public TarReader reader() {
        return reader;
    }

    /** Reads what follows the archive's end to the end of the stream, so the digest covers all of it. */
    public void drain() throws IOException {
        digesting.drain();
    }

    /** sha256 of the uncompressed stream read so far; after {@link #drain()}, of all of it. */
    public Digest digest() {
        return digesting.digest();
    }

    public long uncompressedBytes() {
        return digesting.count();
    }

    private static Compression sniff(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f
                && (m[3] & 0xff) == 0xfd) {
            throw new UnsupportedCompression("zstd", "zstd -d");
        }
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z') {
            throw new UnsupportedCompression("xz", "unxz");
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            throw new UnsupportedCompression("bzip2", "bunzip2");
        }
        return Compression.NONE;
    }

    /** The input is compressed in a way jrun does not read. */
    public static final class UnsupportedCompression extends IOException {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final String decompressor;

        UnsupportedCompression(String name, String decompressor) {
            super(name + "-compressed");
            this.name = name;
            this.decompressor = decompressor;
        }

        public String compressionName() {
            return name;
        }

        /** The command that decompresses it, for advice. */
        public String decompressor() {
            return decompressor;
        }
    }

    /** More uncompressed bytes than the limit. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        TooLarge(long limit) {
            super("more than " + limit + " bytes uncompressed");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** Reading the source failed (network, disk, corrupt compression): the input is at fault, not the writer. */
    public static final class SourceReadException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class Limited extends ObservedInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        protected void observe(byte[] b, int off, int len) throws IOException {
            if ((count += len) > limit) {
                throw new TooLarge(limit);
            }
        }
    }

    private static final class SourceTagging extends FilterInputStream {
        SourceTagging(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (SourceReadException | TooLarge | TarFormatException e) {
                throw e;
            } catch (IOException e) {
                throw new SourceReadException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (SourceReadException | TooLarge | TarFormatException e) {
                throw e;
            } catch (IOException e) {
                throw new SourceReadException(e);
            }
        }
    }
}
