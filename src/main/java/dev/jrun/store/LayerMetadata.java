package dev.jrun.store;

import dev.jrun.oci.DiffId;

import java.util.List;

/**
 * Written to {@code layers/sha256/<hex>/layer.json} when a layer is committed.
 *
 * @param diffId            the layer's uncompressed digest, verified while unpacking
 * @param format            how whiteouts and opaque directories are represented (the unpacker's format version)
 * @param uncompressedBytes size of the uncompressed tar stream
 * @param entries           number of tar entries
 * @param notes             what the unpacker skipped, for the user
 */
public record LayerMetadata(DiffId diffId, String format, long uncompressedBytes, long entries, List<String> notes) {
    public LayerMetadata {
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
