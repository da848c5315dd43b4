package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

import dev.jrun.errors.JrunException;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pull and push against a real docker-registry (see {@link TestRegistry}). */
class RegistryClientTest {
    private static TestRegistry registry;
    private static RegistryClient client;

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start();
        client = registry.client();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private static byte[] fetch(RemoteRepository repo, Descriptor descriptor) throws JrunException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.fetchBlob(repo, descriptor, BlobSink.toBuffer(out));
        return out.toByteArray();
    }

    @Test
    void pullsWhatWasPushedWithVerifiedDigests() throws Exception {
        byte[] big = new byte[300_000];
        new Random(1).nextBytes(big);
        TestImages.Pushed pushed = TestImages.builder()
                .layer(Map.of("etc/motd", "hello\n".getBytes(StandardCharsets.UTF_8)))
                .layer(TestLayer.builder().dir("data").file("data/random", big, 0600, 1000, 1000).build())
                .cmd("cat", "/etc/motd")
                .push(registry, "test/simple:v1");
        RemoteRepository repo = registry.repository("test/simple");

        RegistryClient.ResolvedImage resolved = client.resolveImage(repo, "v1", Platform.host());
        assertEquals(pushed.digest(), resolved.named().digest());
        assertEquals(pushed.digest(), resolved.manifest().digest());
        assertTrue(resolved.index().isEmpty());
        assertArrayEquals(pushed.manifest(), resolved.imageBytes().bytes());
        assertEquals(MediaTypes.OCI_MANIFEST, resolved.manifest().mediaType());
        assertArrayEquals(pushed.image().config(), client.fetchSmallBlob(repo, resolved.manifest().config()));
        assertEquals(2, resolved.manifest().layers().size());
        for (int i = 0; i < 2; i++) {
            Descriptor layer = resolved.manifest().layers().get(i);
            assertEquals(pushed.image().layers().get(i).digest(), layer.digest());
            assertArrayEquals(pushed.image().layers().get(i).blob(), fetch(repo, layer));
        }
        // By digest: the same bytes, verified against the digest asked for.
        FetchedManifest byDigest = client.fetchManifest(repo, pushed.digest().toString());
        assertArrayEquals(pushed.manifest(), byDigest.bytes());
        assertTrue(client.blobExists(repo, pushed.image().configDigest()));
        assertFalse(client.blobExists(repo, Digest.sha256(new byte[] {1, 2, 3})));
    }

    @Test
    void pullsDockerSchema2Images() throws Exception {
        TestImages.Pushed pushed = TestImages.builder().format(TestImages.Format.DOCKER)
                .layer(Map.of("a", new byte[] {42})).push(registry, "test/docker:latest");
        RegistryClient.ResolvedImage resolved = client.resolveImage(registry.repository("test/docker"), "latest", Platform.host());
        assertEquals(MediaTypes.DOCKER_MANIFEST, resolved.manifest().mediaType());
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, resolved.manifest().layers().get(0).mediaType());
        assertEquals(pushed.digest(), resolved.manifest().digest());
    }

    @Test
    void indexResolvesToTheRequestedPlatform() throws Exception {
        TestImages.Pushed pushed = TestImages.index()
                .image(TestImages.builder().platform("linux/amd64").layer(Map.of("arch", "amd64".getBytes())))
                .image(TestImages.builder().platform("linux/arm64/v8").layer(Map.of("arch", "arm64".getBytes())))
                .image(TestImages.builder().platform("linux/arm/v7").layer(Map.of("arch", "armv7".getBytes())))
                .image(TestImages.builder().platform("linux/arm/v5").layer(Map.of("arch", "armv5".getBytes())))
                .push(registry, "test/multi:latest");
        RemoteRepository repo = registry.repository("test/multi");
        assertEquals(pushed.images().get(0).digest(),
                client.resolveImage(repo, "latest", Platform.parse("linux/amd64")).manifest().digest());
        assertEquals(pushed.images().get(1).digest(),
                client.resolveImage(repo, "latest", Platform.parse("linux/aarch64")).manifest().digest());
        assertEquals(pushed.images().get(2).digest(),
                client.resolveImage(repo, "latest", Platform.parse("linux/arm/v7")).manifest().digest());
        // An armv6 host runs v5 binaries, not v7 ones.
        assertEquals(pushed.images().get(3).digest(),
                client.resolveImage(repo, "latest", Platform.parse("linux/arm/v6")).manifest().digest());
        RegistryClient.ResolvedImage host = client.resolveImage(repo, pushed.digest().toString(), Platform.host());
        assertEquals(pushed.digest(), host.named().digest());
        assertEquals(MediaTypes.OCI_INDEX, host.index().orElseThrow().mediaType());

        JrunException none = assertThrows(JrunException.class,
                () -> client.resolveImage(repo, "latest", Platform.parse("linux/s390x")));
        assertTrue(none.getMessage().contains("no image for platform linux/s390x"), none.getMessage());
        assertTrue(none.getMessage().contains("linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v5"), none.getMessage());
        assertTrue(none.getMessage().contains("--platform"), none.getMessage());
    }

    @Test
    void dockerManifestListResolvesToo() throws Exception {
        TestImages.Pushed pushed = TestImages.index().format(TestImages.Format.DOCKER)
                .image(TestImages.builder().platform("linux/amd64").layer(Map.of("x", new byte[] {1})))
                .image(TestImages.builder().platform("linux/arm64").layer(Map.of("x", new byte[] {2})))
                .push(registry, "test/list:1");
        RegistryClient.ResolvedImage resolved = client.resolveImage(registry.repository("test/list"), "1",
                Platform.parse("linux/arm64"));
        assertEquals(MediaTypes.DOCKER_LIST, resolved.index().orElseThrow().mediaType());
        assertEquals(pushed.images().get(1).digest(), resolved.manifest().digest());
        assertArrayEquals(pushed.images().get(1).manifest(), resolved.imageBytes().bytes());
        assertArrayEquals(pushed.manifest(), resolved.named().bytes());
    }

    @Test
    void tamperedBlobInTheRegistryIsRefused() throws Exception {
        byte[] content = new byte[50_000];
        new Random(2).nextBytes(content);
        TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", content)).push(registry, "test/tampered:1");
        TestLayer layer = pushed.image().layers().get(0);
        Path data = blobData(layer.digest());
        byte[] stored = Files.readAllBytes(data);
        stored[stored.length / 2] ^= 1;
        Files.write(data, stored);
        RemoteRepository repo = registry.repository("test/tampered");
        Descriptor descriptor = new Descriptor(layer.mediaType(), layer.digest(), layer.size());
        JrunException e = assertThrows(JrunException.class, () -> fetch(repo, descriptor));
        assertTrue(e.getMessage().contains("does not match the digest"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch blob " + registry.host() + "/test/tampered@" + layer.digest()), e.getMessage());
    }

    @Test
    void tamperedManifestIsRefusedWhenPulledByDigest() throws Exception {
        TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", new byte[] {7})).push(registry, "test/tm:1");
        Path data = blobData(pushed.digest());
        String json = Files.readString(data);
        Files.writeString(data, json.replace("\"schemaVersion\":2", "\"schemaVersion\": 2"));
        JrunException e = assertThrows(JrunException.class,
                () -> client.fetchManifest(registry.repository("test/tm"), pushed.digest().toString()));
        assertTrue(e.getMessage().contains("not the one asked for"), e.getMessage());
    }

    @Test
    void blobOfAnotherSizeThanAnnouncedIsRefused() throws Exception {
        TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", new byte[1000])).push(registry, "test/size:1");
        TestLayer layer = pushed.image().layers().get(0);
        RemoteRepository repo = registry.repository("test/size");
        for (long wrongSize : new long[] {layer.size() - 1, layer.size() + 1}) {
            Descriptor lying = new Descriptor(layer.mediaType(), layer.digest(), wrongSize);
            JrunException e = assertThrows(JrunException.class, () -> fetch(repo, lying));
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        }
    }

    @Test
    void missingTagIsReportedWithNameAndTag() throws Exception {
        TestImages.builder().layer(Map.of("f", new byte[] {1})).push(registry, "test/exists:1");
        RegistryException e = assertThrows(RegistryException.class,
                () -> client.fetchManifest(registry.repository("test/exists"), "nope"));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("fetch manifest " + registry.host() + "/test/exists:nope: manifest "
                + registry.host() + "/test/exists:nope not found"), e.getMessage());
        assertTrue(e.getMessage().contains("MANIFEST_UNKNOWN"), e.getMessage());
        RegistryException repoMissing = assertThrows(RegistryException.class,
                () -> client.fetchManifest(registry.repository("test/never-pushed"), "latest"));
        assertEquals(RegistryException.Kind.NOT_FOUND, repoMissing.kind());
    }

    @Test
    void plainHttpIsNotUsedUnlessTheRegistryIsInsecure() {
        RemoteRepository secure = new RemoteRepository(registry.host(), "test/simple", false);
        JrunException e = assertThrows(JrunException.class, () -> client.fetchManifest(secure, "v1"));
        assertTrue(e.getMessage().contains("https://" + registry.host()), e.getMessage());
        assertTrue(e.getMessage().contains("insecure = true"), e.getMessage());
        assertFalse(e.getMessage().contains("gave up"), "TLS failures are not retried: " + e.getMessage());
    }

    @Test
    void unknownHostFailsAtOnce() {
        RemoteRepository nowhere = new RemoteRepository("no-such-registry.invalid", "a/b", false);
        JrunException e = assertThrows(JrunException.class, () -> client.fetchManifest(nowhere, "1"));
        assertTrue(e.getMessage().startsWith("fetch manifest no-such-registry.invalid/a/b:1: "), e.getMessage());
        assertTrue(e.getMessage().contains("host name does not resolve; check the spelling"), e.getMessage());
    }

    @Test
    void pushesABlobFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] content = new byte[200_000];
        new Random(4).nextBytes(content);
        Path file = dir.resolve("blob");
        Files.write(file, content);
        RemoteRepository repo = registry.repository("test/file-blob");
        Digest digest = client.pushBlob(repo, file);
        assertEquals(Digest.sha256(content), digest);
        assertArrayEquals(content, fetch(repo, new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, content.length)));
        assertEquals(digest, client.pushBlob(repo, file), "a second push finds the blob present");
    }

    /** The filesystem driver's layout: docker/registry/v2/blobs/sha256/ab/abcdef.../data. */
    private static Path blobData(Digest digest) throws IOException {
        Path data = registry.storage().resolve("docker/registry/v2/blobs/" + digest.algorithm().prefix() + "/"
                + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data");
        assertTrue(Files.isRegularFile(data), "registry layout changed: " + data + " missing; found "
                + Arrays.toString(registry.storage().toFile().list()));
        return data;
    }
}
