package dev.jrun.registry;

import dev.jrun.oci.Digest;

import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/** {@code /v2/<name>/manifests/<reference>}: GET a manifest (verified), PUT one (push). */
final class ManifestEndpoint {
    /** containers/image's MaxManifestBodySize; real manifests are a few KiB. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final RegistryTransport transport;
    private final RemoteRepository repo;
    private final String reference;

    ManifestEndpoint(RegistryTransport transport, RemoteRepository repo, String reference) {
        this.transport = transport;
        this.repo = repo;
        this.reference = reference;
    }

    /** e.g. "127.0.0.1:5000/test/busybox:latest" or ".../busybox@sha256:...". */
    String target() {
        return repo + (reference.contains(":") ? "@" : ":") + reference;
    }

    String describeFetch() {
        return "fetch manifest " + target();
    }

    String describePush() {
        return "push manifest " + target();
    }

    private String path() {
        return "/v2/" + repo.name() + "/manifests/" + reference;
    }

    FetchedManifest fetch() throws IOException, JrunException {
        HttpResponse<InputStream> response = transport.send(repo, "pull",
                RegistryTransport.Request.get(path(), Map.of("Accept", MediaTypes.MANIFEST_ACCEPT), TIMEOUT));
        byte[] bytes;
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw ErrorResponses.toException(describeFetch(), repo.registry(), "manifest " + target(),
                        response.statusCode(), response.headers(), body.readNBytes(ErrorResponses.MAX_ERROR_BODY));
            }
            OptionalLong length = response.headers().firstValueAsLong("content-length");
            if (length.isPresent() && length.getAsLong() > MAX_MANIFEST_BYTES) {
                throw tooLarge();
            }
            bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw tooLarge();
        }
        String contentType = response.headers().firstValue("content-type").orElse("");
        int semicolon = contentType.indexOf(';');
        contentType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        Digest digest;
        if (reference.contains(":")) {
            // Pulled by digest: the bytes must be exactly what the digest names (OCI distribution
            // spec: "the client SHOULD verify the returned manifest matches this digest").
            Digest expected = Digest.parse(reference, describeFetch());
            digest = expected.ofSameAlgorithm(bytes);
            if (!digest.equals(expected)) {
                throw new JrunException(describeFetch() + ": the registry sent a manifest whose digest is " + digest
                        + ", not the one asked for; refusing it (the registry or a proxy is broken or hostile)");
            }
        } else {
            // By tag: compute the digest ourselves; the Docker-Content-Digest header is only a claim.
            digest = Digest.sha256(bytes);
        }
        return new FetchedManifest(bytes, contentType, digest);
    }

    private JrunException tooLarge() {
        return new JrunException(describeFetch() + ": the manifest is larger than " + MAX_MANIFEST_BYTES
                + " bytes; refusing it (real manifests are a few KiB)");
    }

    /** PUT the manifest; returns its digest. */
    Digest put(String mediaType, byte[] bytes) throws IOException, JrunException {
        RegistryTransport.Request request = new RegistryTransport.Request("PUT", path(), Map.of("Content-Type", mediaType),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes), TIMEOUT, false);
        HttpResponse<InputStream> response = transport.send(repo, "pull,push", request);
        try (InputStream body = response.body()) {
            byte[] excerpt = body.readNBytes(ErrorResponses.MAX_ERROR_BODY);
            if (response.statusCode() != 201 && response.statusCode() != 200) {
                throw ErrorResponses.toException(describePush(), repo.registry(), "repository " + repo,
                        response.statusCode(), response.headers(), excerpt);
            }
        }
        return Digest.sha256(bytes);
    }
}
