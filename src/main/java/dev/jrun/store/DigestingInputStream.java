package dev.jrun.store;

import dev.jrun.oci.Digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Hashes and counts every byte read through it, so content is verified while it streams
 * (no second pass over a temporary copy). Skipping is implemented by reading, so skipped
 * bytes are hashed too. {@link #verify} compares at the end.
 */
public final class DigestingInputStream extends FilterInputStream {
    private final Hasher hasher;

    public DigestingInputStream(InputStream in, Digest.Algorithm algorithm) {
        super(in);
        this.hasher = new Hasher(algorithm);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            hasher.update(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            hasher.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false; // a reset would hash bytes twice
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported, see markSupported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported by DigestingInputStream");
    }

    /** Reads to the end, so the digest covers the whole stream (e.g. a tar's trailing padding). */
    public long drain() throws IOException {
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = read(buf, 0, buf.length)) >= 0) {
            total += n;
        }
        return total;
    }

    public long count() {
        return hasher.count();
    }

    /** The digest of what was read; call after the stream is consumed. */
    public Digest digest() {
        return hasher.digest();
    }
}
