package dev.jrun.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Objects;

/**
 * The digest of a layer's uncompressed tar stream (an image config's {@code rootfs.diff_ids}
 * entry). Unpacked layers are keyed by it, because the same content may be transferred
 * with different compression (and thus different {@link BlobDigest}s).
 */
public record DiffId(Digest digest) {

    public DiffId {
        Objects.requireNonNull(digest, "digest");
    }

    /** @throws IllegalArgumentException if {@code text} is not a valid digest */
    @JsonCreator
    public static DiffId parse(String text) {
        return new DiffId(Digest.parse(text));
    }

    @JsonValue
    @Override
    public String toString() {
        return digest.toString();
    }
}
