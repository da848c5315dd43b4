package dev.jrun.image.layer;

import dev.jrun.oci.DiffId;

import java.util.List;

/**
 * What {@link LayerUnpacker#unpack} produced.
 *
 * @param diffId            sha256 of the uncompressed tar stream as read (compare it with the config's diffID)
 * @param uncompressedBytes length of that stream
 * @param compression       what the input was detected as
 * @param entries           number of tar entries read
 * @param ownership         chowns to apply inside the user namespace
 * @param notes             one line per kind of thing skipped (device nodes, unsupported xattrs, ...), for the user
 */
public record UnpackResult(DiffId diffId, long uncompressedBytes, Compression compression, long entries,
                           OwnershipPlan ownership, List<String> notes) {

    public UnpackResult {
        notes = List.copyOf(notes);
    }

    /** Layer compression, detected from the first bytes rather than trusted from the media type. */
    public enum Compression { NONE, GZIP }
}
