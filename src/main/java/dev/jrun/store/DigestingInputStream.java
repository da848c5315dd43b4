package dev.jrun.store;

import dev.jrun.oci.Digest;

import java.io.IOException;
import java.io.InputStream;

/**
 * Hashes and counts every byte read through it, so content is verified while it streams
 * (no second pass over a temporary copy). Skipping is implemented by reading, so skipped
 * bytes are hashed too. {@link #verify} compares at the end.
 */
public final class DigestingInputStream extends ObservedInputStream {
    private final Hasher hasher;

    public DigestingInputStream(InputStream in, Digest.Algorithm algorithm) {
        super(in);
        this.hasher = new Hasher(algorithm);
    }

    @Override
    protected void observe(byte[] b, int off, int len) {
        hasher.update(b, off, len);
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
