package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.Platform;

import java.util.List;
import java.util.Objects;

/**
 * What the store knows of one image, written to {@code images/<id>.json}.
 *
 * @param names          fully qualified references that point at it (e.g. docker.io/library/alpine:latest);
 *                       empty for a dangling image
 * @param manifestDigest digest of the manifest it was pulled by (null for an import)
 * @param configDigest   digest of the image config; the image ID is its hex, as in podman and docker
 * @param layers         bottom layer first
 * @param platform       the platform chosen from an index (may be null)
 * @param created        the config's "created" time as written there (may be null)
 * @param stored         when this store recorded it, ISO-8601
 */
public record ImageRecord(List<String> names, BlobDigest manifestDigest, BlobDigest configDigest,
                          List<LayerRef> layers, Platform platform, String created, String stored) {

    public ImageRecord {
        Objects.requireNonNull(configDigest, "configDigest");
        names = names == null ? List.of() : List.copyOf(names);
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** The image ID: the config digest's hex, 64 characters. */
    public String id() {
        return configDigest.digest().hex();
    }

    public ImageRecord withNames(List<String> newNames) {
        return new ImageRecord(newNames, manifestDigest, configDigest, layers, platform, created, stored);
    }

    public ImageRecord withStored(String when) {
        return new ImageRecord(names, manifestDigest, configDigest, layers, platform, created, when);
    }
}
