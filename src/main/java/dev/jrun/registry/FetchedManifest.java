package dev.jrun.registry;

import dev.jrun.oci.Digest;

/**
 * Manifest bytes exactly as the registry sent them, the media type they declare, and their
 * digest as jrun computed it (never as the registry claimed it).
 */
public record FetchedManifest(byte[] bytes, String mediaType, Digest digest) {
    public FetchedManifest {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
