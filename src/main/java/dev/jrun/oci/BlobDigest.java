package dev.jrun.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Objects;

/**
 * The digest of a blob exactly as stored and transferred (a manifest's {@code digest} field):
 * for a layer, usually of the gzip-compressed bytes. Never equal to a {@link DiffId} by type.
 */
public record BlobDigest(Digest digest) {

    public BlobDigest {
        Objects.requireNonNull(digest, "digest");
    }

    /** @throws IllegalArgumentException if {@code text} is not a valid digest */
    @JsonCreator
    public static BlobDigest parse(String text) {
        return new BlobDigest(Digest.parse(text));
    }

    @JsonValue
    @Override
    public String toString() {
        return digest.toString();
    }
}
