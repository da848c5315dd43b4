package dev.jrun.registry;

import dev.jrun.oci.Digest;

import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /v2/<name>/blobs/uploads/} then {@code PUT <location>?digest=...}: the OCI
 * distribution spec's "POST then PUT" monolithic upload, which every registry supports.
 */
final class BlobUploadEndpoint {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final RegistryTransport transport;
    private final RemoteRepository repo;
    private final Digest digest;

    BlobUploadEndpoint(RegistryTransport transport, RemoteRepository repo, Digest digest) {
        this.transport = transport;
        this.repo = repo;
        this.digest = digest;
    }

    String describe() {
        return "push blob " + repo + "@" + digest;
    }

    /** {@code content} is called once per PUT, so a retried upload sends the whole blob again. */
    void upload(Supplier<HttpRequest.BodyPublisher> content) throws IOException, JrunException {
        HttpResponse<InputStream> started = transport.send(repo, "pull,push", new RegistryTransport.Request("POST",
                "/v2/" + repo.name() + "/blobs/uploads/", Map.of(), HttpRequest.BodyPublishers::noBody, TIMEOUT, false));
        URI location;
        try (InputStream body = started.body()) {
            byte[] excerpt = body.readNBytes(ErrorResponses.MAX_ERROR_BODY);
            if (started.statusCode() != 202) {
                throw ErrorResponses.toException(describe(), repo.registry(), "repository " + repo,
                        started.statusCode(), started.headers(), excerpt);
            }
            Optional<String> header = started.headers().firstValue("location");
            if (header.isEmpty()) {
                throw new RegistryException(RegistryException.Kind.PROTOCOL, 202, describe()
                        + ": the registry started an upload without a Location; it is not spec-compliant", null);
            }
            location = RegistryTransport.resolve(repo.registry(), started.request().uri(), header.get());
        }
        String url = location + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest;
        HttpResponse<InputStream> finished = transport.send(repo, "pull,push", new RegistryTransport.Request("PUT", url,
                Map.of("Content-Type", "application/octet-stream"),
                content, TIMEOUT, false));
        try (InputStream body = finished.body()) {
            byte[] excerpt = body.readNBytes(ErrorResponses.MAX_ERROR_BODY);
            if (finished.statusCode() != 201) {
                throw ErrorResponses.toException(describe(), repo.registry(), "repository " + repo,
                        finished.statusCode(), finished.headers(), excerpt);
            }
        }
    }
}
