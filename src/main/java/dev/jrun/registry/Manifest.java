package dev.jrun.registry;

import dev.jrun.oci.Digest;

/** A parsed manifest: an image's ({@link ImageManifest}) or a list of per-platform ones ({@link ManifestIndex}). */
public sealed interface Manifest permits ImageManifest, ManifestIndex {
    String mediaType();

    Digest digest();
}
