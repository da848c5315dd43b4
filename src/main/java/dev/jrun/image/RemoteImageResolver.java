package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.Platform;
import dev.jrun.registry.RegistryClient;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds where to pull an image from, as podman does: each candidate of a short name in
 * unqualified-search order, and for each candidate its mirrors and then its own location; the
 * first endpoint that serves the image wins. When none does, the error lists every attempt.
 */
public final class RemoteImageResolver {
    /**
     * @param reference the fully-qualified reference that was found (the candidate, not the mirror)
     * @param endpoint where it was found: pull its blobs from {@code endpoint.repository()}
     * @param image the manifest (and index) for the platform
     */
    public record Found(ImageReference reference, RegistriesConf.Endpoint endpoint, RegistryClient.ResolvedImage image) {
    }

    private final RegistriesConf registries;
    private final RegistryClient client;

    public RemoteImageResolver(RegistriesConf registries, RegistryClient client) {
        this.registries = registries;
        this.client = client;
    }

    public Found resolve(ImageReference wanted, Platform platform) throws JrunException {
        List<String> failures = new ArrayList<>();
        JrunException last = null;
        for (ImageReference candidate : registries.candidates(wanted)) {
            List<RegistriesConf.Endpoint> endpoints;
            try {
                endpoints = registries.endpoints(candidate);
            } catch (JrunException blocked) {
                failures.add(blocked.getMessage());
                last = blocked;
                continue;
            }
            for (RegistriesConf.Endpoint endpoint : endpoints) {
                try {
                    RegistryClient.ResolvedImage image = client.resolveImage(endpoint.repository(),
                            endpoint.reference().manifestReference(), platform);
                    return new Found(candidate, endpoint, image);
                } catch (JrunException e) {
                    // Any failure moves on to the next mirror or candidate, as containers/image does;
                    // a wrong digest from one mirror must not stop a correct one from being used.
                    failures.add(e.getMessage());
                    last = e;
                }
            }
        }
        if (failures.size() == 1) {
            throw last;
        }
        throw new JrunException("pull " + (wanted.isShortName() ? wanted.typedPath() : wanted.toString())
                + ": no registry served it; tried:\n  " + String.join("\n  ", failures), last);
    }
}
