package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import java.util.Objects;

/**
 * One layer of an image as its manifest and config name it.
 *
 * @param digest    the blob's digest in the manifest (usually of the compressed tar)
 * @param diffId    the uncompressed digest from the config's rootfs.diff_ids; keys the unpacked directory
 * @param size      the blob's size in bytes, as the manifest declares it
 * @param mediaType the blob's media type in the manifest
 */
public record LayerRef(BlobDigest digest, DiffId diffId, long size, String mediaType) {
    public LayerRef {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(diffId, "diffId");
    }
}
