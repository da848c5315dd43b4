package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

/**
 * A content descriptor (OCI image spec, descriptor.md): what to fetch, and the exact digest and
 * size it must have. {@code platform} is set only for entries of an index.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform) {
    public Descriptor {
        if (size < 0) {
            throw new IllegalArgumentException("descriptor size must not be negative: " + size);
        }
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null);
    }
}
