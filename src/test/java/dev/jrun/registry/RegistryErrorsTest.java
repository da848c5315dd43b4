package dev.jrun.registry;

import dev.jrun.oci.Digest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour the real docker-registry cannot be made to show (rate limits, 5xx, redirects to blob
 * storage, oversized answers): a scripted HTTP server stands in for the registry here only.
 */
class RegistryErrorsTest {
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
            + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"sha256:" + "0".repeat(64) + "\",\"size\":2},"
            + "\"layers\":[]}";

    /** One scripted answer. */
    private record Answer(int status, Map<String, String> headers, byte[] body) {
        static Answer json(int status, String body, Map<String, String> headers) {
            return new Answer(status, headers, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    // One server and one client per retry policy for the whole class: each new client pings
    // https first (as podman does) and this plain-http fake only times that out after 3 s.
    private static HttpServer server;
    private static RegistryClient client;
    private static final List<Answer> script = new CopyOnWriteArrayList<>();
    private static final List<String> authorizations = new CopyOnWriteArrayList<>();
    private static final AtomicInteger requests = new AtomicInteger();
    private static volatile boolean requireBasicAuth;

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (requireBasicAuth && auth == null) {
                reply(exchange, new Answer(401, Map.of("WWW-Authenticate", "Basic realm=\"test\""), new byte[0]));
                return;
            }
            if (exchange.getRequestURI().getPath().equals("/v2/")) {
                reply(exchange, new Answer(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)));
                return;
            }
            requests.incrementAndGet();
            authorizations.add(String.valueOf(auth));
            reply(exchange, script.size() > 1 ? script.remove(0) : script.get(0));
        });
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    @BeforeEach
    void resetScript() {
        script.clear();
        authorizations.clear();
        requests.set(0);
        requireBasicAuth = false;
    }

    private static RemoteRepository repo() {
        return new RemoteRepository("127.0.0.1:" + server.getAddress().getPort(), "test/app", true);
    }

    /** Three attempts; credentials that must only be sent when the registry asks for them. */
    private static RegistryClient client() {
        if (client == null) {
            client = RegistryClient.builder()
                    .credentials((r, p) -> Optional.of(new Credentials("u", "p")))
                    .retry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(10)))
                    .build();
        }
        return client;
    }

    private static void reply(HttpExchange exchange, Answer answer) throws IOException {
        try (exchange) {
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            if (!answer.headers().containsKey("Content-Type")) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            boolean chunked = answer.headers().containsKey("X-Test-Chunked");
            exchange.sendResponseHeaders(answer.status(), chunked ? 0 : answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    @Test
    void rateLimitIsRetriedHonouringRetryAfter() throws Exception {
        script.add(Answer.json(429, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}",
                Map.of("Retry-After", "0")));
        script.add(Answer.json(200, MANIFEST, Map.of("Content-Type", MediaTypes.OCI_MANIFEST)));
        FetchedManifest manifest = client().fetchManifest(repo(), "1");
        assertEquals(Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)), manifest.digest());
        assertEquals(2, requests.get());
    }

    @Test
    void rateLimitMessageSaysWhatTheRegistrySaidAboutLimits() {
        script.add(Answer.json(429, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}",
                Map.of("ratelimit-limit", "100;w=21600", "ratelimit-remaining", "0;w=21600", "Retry-After", "0")));
        RegistryException e = assertThrows(RegistryException.class, () -> client().fetchManifest(repo(), "1"));
        assertEquals(RegistryException.Kind.TOO_MANY_REQUESTS, e.kind());
        String m = e.getMessage();
        assertTrue(m.startsWith("fetch manifest " + repo() + ":1: the registry's rate limit was reached"), m);
        assertTrue(m.contains("limit 100;w=21600, remaining 0;w=21600"), m);
        assertTrue(m.contains("TOOMANYREQUESTS: You have reached your pull rate limit."), m);
        assertTrue(m.contains("gave up after 3 attempts"), m);
        assertEquals(3, requests.get());
    }

    @Test
    void serverErrorsAreRetriedThenReported() throws Exception {
        script.add(Answer.json(503, "<html>busy</html>", Map.of("Content-Type", "text/html")));
        script.add(Answer.json(200, MANIFEST, Map.of("Content-Type", MediaTypes.OCI_MANIFEST)));
        client().fetchManifest(repo(), "1");
        assertEquals(2, requests.get());

        script.clear();
        requests.set(0);
        script.add(Answer.json(500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"disk on fire\"}]}", Map.of()));
        RegistryException e = assertThrows(RegistryException.class, () -> client().fetchManifest(repo(), "1"));
        assertEquals(RegistryException.Kind.SERVER, e.kind());
        assertTrue(e.getMessage().contains("HTTP 500 (registry said: UNKNOWN: disk on fire)"), e.getMessage());
        assertEquals(3, requests.get());
    }

    @Test
    void deniedAndNotFoundAreNotRetried() {
        script.add(Answer.json(403, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}", Map.of()));
        RegistryException denied = assertThrows(RegistryException.class, () -> client().fetchManifest(repo(), "1"));
        assertEquals(RegistryException.Kind.DENIED, denied.kind());
        assertTrue(denied.getMessage().contains("access denied (registry said: DENIED: requested access to the resource is denied)"),
                denied.getMessage());
        assertEquals(1, requests.get());
    }

    @Test
    void hostileErrorTextIsShortenedAndStrippedOfControlCharacters() {
        String evil = "\u001b]0;owned\u0007" + "x".repeat(5000);
        script.add(Answer.json(404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"" + evil.replace("\u001b", "\\u001b")
                .replace("\u0007", "\\u0007") + "\"}]}", Map.of()));
        RegistryException e = assertThrows(RegistryException.class, () -> client().fetchManifest(repo(), "1"));
        assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
        assertFalse(e.getMessage().contains("\u0007"));
        assertTrue(e.getMessage().length() < 1000, "message length " + e.getMessage().length());
    }

    @Test
    void oversizedManifestIsRefused() {
        byte[] huge = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        script.add(new Answer(200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST, "X-Test-Chunked", "1"), huge));
        JrunException e = assertThrows(JrunException.class, () -> client().fetchManifest(repo(), "1"));
        assertTrue(e.getMessage().contains("larger than 4194304 bytes"), e.getMessage());
    }

    @Test
    void blobLongerThanAnnouncedIsRefusedWithoutReadingItAll() {
        byte[] content = new byte[10_000];
        script.add(new Answer(200, Map.of("Content-Type", "application/octet-stream", "X-Test-Chunked", "1"), content));
        Descriptor announced = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[100]), 100);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        JrunException e = assertThrows(JrunException.class,
                () -> client().fetchBlob(repo(), announced, BlobSink.toBuffer(sink)));
        assertTrue(e.getMessage().contains("more than the 100 bytes"), e.getMessage());
        assertTrue(sink.size() <= 100, "wrote " + sink.size());
    }

    @Test
    void redirectToBlobStorageCarriesNoCredentials() throws Exception {
        byte[] content = "layer bytes".getBytes(StandardCharsets.UTF_8);
        List<String> storageAuthorization = new CopyOnWriteArrayList<>();
        HttpServer storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        storage.createContext("/", exchange -> {
            storageAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            reply(exchange, new Answer(200, Map.of("Content-Type", "application/octet-stream"), content));
        });
        storage.start();
        try {
            script.add(new Answer(307, Map.of("Location", "http://127.0.0.1:" + storage.getAddress().getPort()
                    + "/bucket/blob?signature=abc"), new byte[0]));
            requireBasicAuth = true;
            Credentials secret = new Credentials("user", "secret");
            RegistryClient client = RegistryClient.builder().credentials((r, p) -> Optional.of(secret)).build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            client.fetchBlob(repo(), new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(content), content.length),
                    BlobSink.toBuffer(out));
            assertArrayEquals(content, out.toByteArray());
            assertEquals(List.of(secret.basicAuthorization()), authorizations);
            assertEquals(List.of("null"), storageAuthorization);
        } finally {
            storage.stop(0);
        }
    }

    @Test
    void credentialsAreSentOnlyWhenTheRegistryAsksForThem() throws Exception {
        script.add(Answer.json(200, MANIFEST, Map.of("Content-Type", MediaTypes.OCI_MANIFEST)));
        client().fetchManifest(repo(), "1");
        assertEquals(List.of("null"), authorizations);
    }

    @Test
    void sha512BlobsAreVerifiedWithSha512() throws Exception {
        byte[] content = "sha512 content".getBytes(StandardCharsets.UTF_8);
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512,
                java.security.MessageDigest.getInstance("SHA-512").digest(content));
        script.add(new Answer(200, Map.of("Content-Type", "application/octet-stream"), content));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client().fetchBlob(repo(), new Descriptor(MediaTypes.OCI_LAYER_GZIP, sha512, content.length), BlobSink.toBuffer(out));
        assertArrayEquals(content, out.toByteArray());

        byte[] other = "sha512 CONTENT".getBytes(StandardCharsets.UTF_8);
        script.clear();
        script.add(new Answer(200, Map.of("Content-Type", "application/octet-stream"), other));
        JrunException e = assertThrows(JrunException.class, () -> client().fetchBlob(repo(),
                new Descriptor(MediaTypes.OCI_LAYER_GZIP, sha512, other.length), BlobSink.toBuffer(out)));
        assertTrue(e.getMessage().contains("does not match the digest"), e.getMessage());
    }

    @Test
    void hostileRedirectsAreRefused() {
        Descriptor blob = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[1]), 1);
        for (String location : new String[] {"http://[bad", "file:///etc/passwd", "ftp://example.com/x", "http:///nohost"}) {
            script.clear();
            script.add(new Answer(302, Map.of("Location", location), new byte[0]));
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client().fetchBlob(repo(), blob, BlobSink.toBuffer(new ByteArrayOutputStream())), location);
            assertEquals(RegistryException.Kind.PROTOCOL, e.kind(), e.getMessage());
        }
        script.clear();
        script.add(new Answer(302, Map.of("Location", "/v2/test/app/blobs/again"), new byte[0]));
        RegistryException loop = assertThrows(RegistryException.class,
                () -> client().fetchBlob(repo(), blob, BlobSink.toBuffer(new ByteArrayOutputStream())));
        assertTrue(loop.getMessage().contains("more than 5 times"), loop.getMessage());
    }
}
