package dev.jrun.store;

import dev.jrun.oci.Digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Counts and hashes bytes as they go by; {@link #digest()} ends it. */
public final class Hasher {
    private final Digest.Algorithm algorithm;
    private final MessageDigest md;
    private long count;
    private Digest result;

    public Hasher(Digest.Algorithm algorithm) {
        this.algorithm = algorithm;
        try {
            this.md = MessageDigest.getInstance(algorithm.javaName());
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE implementation must provide SHA-256 and SHA-512.
            throw new IllegalStateException("this JVM lacks " + algorithm.javaName(), e);
        }
    }

    public static Hasher sha256() {
        return new Hasher(Digest.Algorithm.SHA256);
    }

    public void update(byte[] b, int off, int len) {
        if (result != null) {
            throw new IllegalStateException("hasher already finished");
        }
        md.update(b, off, len);
        count += len;
    }

    public void update(java.nio.ByteBuffer buffer) {
        if (result != null) {
            throw new IllegalStateException("hasher already finished");
        }
        count += buffer.remaining();
        md.update(buffer);
    }

    /** Bytes seen so far. */
    public long count() {
        return count;
    }

    /** The digest of everything seen; further updates are refused. Idempotent. */
    public Digest digest() {
        if (result == null) {
            result = Digest.of(algorithm, md.digest());
        }
        return result;
    }
}
