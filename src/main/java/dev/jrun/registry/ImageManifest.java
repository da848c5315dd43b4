package dev.jrun.registry;

import dev.jrun.oci.Digest;

import java.util.List;

/** One image: its config blob and its layers, bottom first (OCI image manifest or Docker schema 2). */
public record ImageManifest(String mediaType, Digest digest, Descriptor config, List<Descriptor> layers)
        implements Manifest {
    public ImageManifest {
        layers = List.copyOf(layers);
    }
}
