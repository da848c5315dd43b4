package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import dev.jrun.store.Store;

import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * The last step every image source shares (pull, load, import): once its layers are in the
 * store, the config blob, the manifest blob and the image record, in that order, so an image
 * is recorded only when everything it names exists. Callers hold the store's lease.
 */
final class ImageCommitter {
    private final Store store;

    ImageCommitter(Store store) {
        this.store = store;
    }

    /**
     * @param manifest       the manifest as the source has it, or null to write an OCI manifest
     *                       for the config and layers (an image that came without one)
     * @param manifestDigest its digest, or null to compute it
     */
    ImageRecord commit(List<String> names, byte[] config, BlobDigest configDigest, byte[] manifest,
                       BlobDigest manifestDigest, List<LayerRef> layers, Platform platform, String created,
                       String stored) throws JrunException {
        store.putBlob(configDigest, config.length, new ByteArrayInputStream(config));
        byte[] m = manifest != null ? manifest : ImageArchives.manifest(configDigest, config.length, layers);
        BlobDigest md = manifestDigest != null ? manifestDigest : new BlobDigest(Digest.sha256(m));
        store.putBlob(md, m.length, new ByteArrayInputStream(m));
        return store.putImage(new ImageRecord(names, md, configDigest, layers, platform, created, stored));
    }
}
