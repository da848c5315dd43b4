package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

import dev.jrun.errors.JrunException;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The OCI distribution client: the only class callers need. Each operation is carried out by
 * one small endpoint class that can describe itself for error messages, and is retried as a
 * whole under the {@link RetryPolicy}. Thread-safe; share one instance per jrun process so
 * registry pings and tokens are reused.
 *
 * <pre>
 *   RegistryClient client = RegistryClient.builder().credentials(AuthFile.forEnvironment(System.getenv())).build();
 *   RemoteRepository repo = new RemoteRepository("127.0.0.1:5000", "test/busybox", true);
 *   RegistryClient.ResolvedImage image = client.resolveImage(repo, "latest", Platform.host());
 *   client.fetchBlob(repo, image.manifest().layers().get(0), BlobSink.toFile(tmp));
 * </pre>
 */
public final class RegistryClient {
    /** Image configs are JSON of a few KiB; 16 MiB bounds a hostile one without refusing large histories. */
    public static final int MAX_CONFIG_BYTES = 16 * 1024 * 1024;

    private final RegistryTransport transport;
    private final RetryPolicy retry;

    /**
     * An image manifest chosen for a platform, with the manifest (or index) the reference named.
     *
     * @param named what the tag or digest pointed at: the index, or the manifest itself
     * @param imageBytes the image manifest's bytes as fetched and verified (same as {@code named} without an index)
     * @param manifest the parsed image manifest for the platform
     * @param index the index the manifest was chosen from, if there was one
     */
    public record ResolvedImage(FetchedManifest named, FetchedManifest imageBytes, ImageManifest manifest,
                                Optional<ManifestIndex> index) {
    }

    public static final class Builder {
        private CredentialSource credentials = CredentialSource.NONE;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);

        public Builder credentials(CredentialSource source) {
            this.credentials = source;
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = policy;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long a blob download may receive nothing before it is dropped and retried. */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = timeout;
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(new RegistryTransport(credentials, connectTimeout, stallTimeout), retry);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private RegistryClient(RegistryTransport transport, RetryPolicy retry) {
        this.transport = transport;
        this.retry = retry;
    }

    /** The manifest (or index) {@code reference} (a tag or digest) names, with its computed digest. */
    public FetchedManifest fetchManifest(RemoteRepository repo, String reference) throws JrunException {
        ManifestEndpoint endpoint = new ManifestEndpoint(transport, repo, reference);
        return retry.run(endpoint.describeFetch(), endpoint::fetch);
    }

    /**
     * Fetches what {@code reference} names and, if it is an index, the image manifest for
     * {@code platform} from it (verified against the index's digest and size).
     */
    public ResolvedImage resolveImage(RemoteRepository repo, String reference, Platform platform) throws JrunException {
        FetchedManifest named = fetchManifest(repo, reference);
        String what = new ManifestEndpoint(transport, repo, reference).target();
        Manifest parsed = ManifestParser.parse(named, what);
        if (parsed instanceof ImageManifest) {
            return new ResolvedImage(named, named, (ImageManifest) parsed, Optional.empty());
        }
        ManifestIndex index = (ManifestIndex) parsed;
        Descriptor chosen = index.select(platform, what);
        FetchedManifest child = fetchManifest(repo, chosen.digest().toString());
        if (child.bytes().length != chosen.size()) {
            throw new JrunException("fetch manifest " + repo + "@" + chosen.digest() + ": it is " + child.bytes().length
                    + " bytes but the index of " + what + " says " + chosen.size() + "; refusing it");
        }
        String childWhat = repo + "@" + chosen.digest() + " (" + platform + " in " + what + ")";
        Manifest childParsed = ManifestParser.parse(child, childWhat);
        if (!(childParsed instanceof ImageManifest)) {
            throw new JrunException(childWhat + " is another index; jrun does not follow nested indexes");
        }
        return new ResolvedImage(named, child, (ImageManifest) childParsed, Optional.of(index));
    }

    /** Streams the blob {@code descriptor} names into {@code sink}, verified; see {@link BlobSink}. */
    public void fetchBlob(RemoteRepository repo, Descriptor descriptor, BlobSink sink) throws JrunException {
        BlobEndpoint endpoint = new BlobEndpoint(transport, repo, descriptor.digest());
        retry.run(endpoint.describeFetch(), () -> {
            endpoint.fetch(descriptor.size(), sink);
            return null;
        });
    }

    /** A small blob (e.g. the image config) in memory, verified, at most {@link #MAX_CONFIG_BYTES}. */
    public byte[] fetchSmallBlob(RemoteRepository repo, Descriptor descriptor) throws JrunException {
        if (descriptor.size() > MAX_CONFIG_BYTES) {
            throw new JrunException("fetch blob " + repo + "@" + descriptor.digest() + ": the manifest says it is "
                    + descriptor.size() + " bytes, more than the " + MAX_CONFIG_BYTES + " jrun accepts for a config");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) descriptor.size());
        fetchBlob(repo, descriptor, BlobSink.toBuffer(buffer));
        return buffer.toByteArray();
    }

    public boolean blobExists(RemoteRepository repo, Digest digest) throws JrunException {
        BlobEndpoint endpoint = new BlobEndpoint(transport, repo, digest);
        return retry.run(endpoint.describeCheck(), endpoint::exists);
    }

    /** Uploads {@code content} unless the registry has it already; returns its sha256 digest. */
    public Digest pushBlob(RemoteRepository repo, byte[] content) throws JrunException {
        Digest digest = Digest.sha256(content);
        if (blobExists(repo, digest)) {
            return digest;
        }
        BlobUploadEndpoint endpoint = new BlobUploadEndpoint(transport, repo, digest);
        retry.run(endpoint.describe(), () -> {
            endpoint.upload(() -> HttpRequest.BodyPublishers.ofByteArray(content));
            return null;
        });
        return digest;
    }

    /** Uploads the file's content unless the registry has it already; returns its sha256 digest. */
    public Digest pushBlob(RemoteRepository repo, Path file) throws JrunException {
        Digest digest;
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest hasher = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[128 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                hasher.update(buffer, 0, n);
            }
            digest = Digest.of(Digest.Algorithm.SHA256, hasher.digest());
        } catch (IOException e) {
            throw new JrunException("push blob " + file + " to " + repo + ": cannot read it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        if (blobExists(repo, digest)) {
            return digest;
        }
        BlobUploadEndpoint endpoint = new BlobUploadEndpoint(transport, repo, digest);
        retry.run(endpoint.describe(), () -> {
            endpoint.upload(() -> {
                try {
                    return HttpRequest.BodyPublishers.ofFile(file);
                } catch (FileNotFoundException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return null;
        });
        return digest;
    }

    /** PUTs a manifest under {@code reference} (a tag, or its digest); returns its sha256 digest. */
    public Digest pushManifest(RemoteRepository repo, String reference, String mediaType, byte[] content)
            throws JrunException {
        ManifestEndpoint endpoint = new ManifestEndpoint(transport, repo, reference);
        return retry.run(endpoint.describePush(), () -> endpoint.put(mediaType, content));
    }

    /**
     * Verifies {@code credentials} against {@code registry} as {@code podman login} does:
     * {@code GET /v2/} authenticated (a token request with the credentials for Bearer registries).
     */
    public void checkLogin(String registry, boolean insecure, Credentials credentials) throws JrunException {
        String action = "log in to " + registry + " as " + credentials.username();
        try {
            retry.run(action, () -> {
                HttpResponse<InputStream> response = transport.send(registry, insecure, Optional.of(credentials), null,
                        RegistryTransport.Request.get("/v2/", Map.of(), Duration.ofSeconds(60)));
                try (InputStream body = response.body()) {
                    byte[] excerpt = body.readNBytes(ErrorResponses.MAX_ERROR_BODY);
                    if (response.statusCode() != 200) {
                        throw ErrorResponses.toException(action, registry, "registry " + registry,
                                response.statusCode(), response.headers(), excerpt);
                    }
                }
                return null;
            });
        } catch (RegistryException e) {
            if (e.kind() != RegistryException.Kind.UNAUTHORIZED) {
                throw e;
            }
            // Refused by the registry itself or by its token service: either way the user must
            // fix the user name or password, not run "jrun login" (which they are doing).
            throw new RegistryException(e.kind(), e.status(), action + ": the user name or password was refused;"
                    + " check them and try again (" + e.getMessage() + ")", null);
        }
    }
}
