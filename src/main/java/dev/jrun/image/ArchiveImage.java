package dev.jrun.image;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import java.util.List;

/**
 * One image found in an archive, checked as far as can be without unpacking: the config's
 * digest, every blob's digest and size, the number of layers against the config's diffIDs,
 * and the diffID of every uncompressed layer.
 *
 * @param names     normalized names to record ({@link ImageArchives#localName}); may be empty
 * @param config    the config's bytes
 * @param configDigest their digest: the image ID
 * @param manifest  the OCI manifest's bytes as found in the archive, or null (docker-archive)
 * @param manifestDigest its digest, or null
 * @param layers    bottom first
 * @param what      "image 2 of archive X.tar", for messages
 */
record ArchiveImage(List<String> names, byte[] config, BlobDigest configDigest, ImageConfig parsedConfig,
                    byte[] manifest, BlobDigest manifestDigest, List<Layer> layers, String what) {

    ArchiveImage {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
    }

    /**
     * @param file      the blob's bytes in the archive
     * @param digest    its digest (verified)
     * @param diffId    the config's diffID for it (verified here for uncompressed layers, by the unpacker otherwise)
     * @param mediaType its media type (OCI spelling)
     */
    record Layer(ArchiveFiles.ArchiveFile file, BlobDigest digest, DiffId diffId, String mediaType) {
    }
}
