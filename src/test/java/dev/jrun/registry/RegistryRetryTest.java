package dev.jrun.registry;

import dev.jrun.errors.JrunException;
import dev.jrun.testing.FlakyProxy;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dropped connections between jrun and a real registry are retried, within bounds. */
class RegistryRetryTest {
    private static TestRegistry registry;
    private static TestImages.Pushed image;

    @BeforeAll
    static void pushImage() throws JrunException {
        registry = TestRegistry.start();
        byte[] big = new byte[1_000_000];
        new Random(3).nextBytes(big);
        image = TestImages.builder().layer(Map.of("big", big)).push(registry, "test/retry:1");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void droppedFirstConnectionIsRetried() throws Exception {
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).dropConnections(1)) {
            RemoteRepository repo = new RemoteRepository(proxy.host(), "test/retry", true);
            FetchedManifest manifest = registry.client().fetchManifest(repo, "1");
            assertEquals(image.digest(), manifest.digest());
            assertTrue(proxy.connectionsAccepted() >= 2);
        }
    }

    @Test
    void downloadCutMidStreamStartsOverAndVerifies() throws Exception {
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).cutAfterBytes(300_000, 1)) {
            RemoteRepository repo = new RemoteRepository(proxy.host(), "test/retry", true);
            TestLayer layer = image.image().layers().get(0);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            AtomicInteger opened = new AtomicInteger();
            BlobSink counting = () -> {
                opened.incrementAndGet();
                return BlobSink.toBuffer(buffer).open();
            };
            registry.client().fetchBlob(repo, new Descriptor(layer.mediaType(), layer.digest(), layer.size()), counting);
            assertArrayEquals(layer.blob(), buffer.toByteArray());
            assertEquals(2, opened.get(), "the sink is reopened (emptied) for the second attempt");
        }
    }

    @Test
    void stalledDownloadIsDroppedAndRetried() throws Exception {
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).stallAfterBytes(300_000, 1)) {
            RemoteRepository repo = new RemoteRepository(proxy.host(), "test/retry", true);
            RegistryClient client = RegistryClient.builder().stallTimeout(Duration.ofMillis(500))
                    .retry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(20))).build();
            TestLayer layer = image.image().layers().get(0);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            long started = System.nanoTime();
            client.fetchBlob(repo, new Descriptor(layer.mediaType(), layer.digest(), layer.size()), BlobSink.toBuffer(buffer));
            assertArrayEquals(layer.blob(), buffer.toByteArray());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(10)) < 0);
        }
    }

    @Test
    void stallThatNeverEndsIsReported() {
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).stallAfterBytes(300_000, 100)) {
            RemoteRepository repo = new RemoteRepository(proxy.host(), "test/retry", true);
            RegistryClient client = RegistryClient.builder().stallTimeout(Duration.ofMillis(300))
                    .retry(new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(20))).build();
            TestLayer layer = image.image().layers().get(0);
            JrunException e = assertThrows(JrunException.class, () -> client.fetchBlob(repo,
                    new Descriptor(layer.mediaType(), layer.digest(), layer.size()), BlobSink.toBuffer(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().contains("the connection stalled"), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 2 attempts"), e.getMessage());
        }
    }

    @Test
    void retriesAreBounded() {
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).dropConnections(100)) {
            RemoteRepository repo = new RemoteRepository(proxy.host(), "test/retry", true);
            JrunException e = assertThrows(JrunException.class, () -> registry.client().fetchManifest(repo, "1"));
            assertTrue(e.getMessage().startsWith("fetch manifest " + proxy.host() + "/test/retry:1: "), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
        }
    }
}
