package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import java.util.List;

/**
 * What {@link Store#removeImage} or {@link Store#prune} deleted.
 *
 * @param images image IDs whose records were removed
 * @param untagged names removed from images that stay (because other names remain)
 * @param layers diffIDs of unpacked layers deleted
 * @param blobs  blobs deleted
 */
public record RemovalReport(List<String> images, List<String> untagged, List<DiffId> layers, List<BlobDigest> blobs) {
    public RemovalReport {
        images = List.copyOf(images);
        untagged = List.copyOf(untagged);
        layers = List.copyOf(layers);
        blobs = List.copyOf(blobs);
    }
}
