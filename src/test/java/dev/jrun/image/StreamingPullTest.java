package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.OwnershipApplier;
import dev.jrun.image.layer.UnpackLimits;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;
import dev.jrun.registry.RegistryClient;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.JavaRemover;
import dev.jrun.store.Store;
import dev.jrun.testing.FlakyProxy;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cold pull unpacks each layer while it downloads (ImageService.StreamingImport): a download
 * cut mid-stream must leave no partial layer or blob behind and the retry must succeed; an
 * unpacker that refuses the layer must stop the download and be the error reported.
 */
@Timeout(120)
class StreamingPullTest {
    private static TestRegistry registry;
    private static byte[] big;
    private static byte[] small;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start();
        // Random bytes do not compress: the blob is about as large as the files, several pipe-fulls.
        big = new byte[6_000_000];
        new Random(7).nextBytes(big);
        small = "hello\n".getBytes();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    private static TestLayer layer() {
        return TestLayer.builder().file("etc/hello", small).file("usr/lib/big", big).file("usr/lib/after", small).build();
    }

    private ImageService service(Store store, String registryHost) throws IOException, JrunException {
        Path conf = dir.resolve("registries.conf");
        Files.writeString(conf, "[[registry]]\nlocation = \"" + registryHost + "\"\ninsecure = true\n");
        RegistryClient client = RegistryClient.builder().build();
        LayerImporter importer = new LayerImporter(store,
                new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()), OwnershipApplier.NONE);
        RemoteImageResolver resolver = new RemoteImageResolver(RegistriesConf.load(dir.resolve("absent"), conf), client);
        return new ImageService(store, () -> new ImageService.Remote(resolver, client), importer, PullProgress.QUIET);
    }

    private static long entries(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }

    @Test
    void downloadCutMidStreamLeavesNoPartialLayerAndTheRetrySucceeds() throws Exception {
        TestLayer layer = layer();
        TestImages.builder().layer(layer).push(registry, "stream/cut:1");
        Store store = Store.open(dir.resolve("store"), new JavaRemover());
        // The cut comes after the unpacker started writing files (more than the config and
        // manifest, less than the layer): the first attempt's temporary layer exists then.
        try (FlakyProxy proxy = FlakyProxy.start(registry.port()).cutAfterBytes(2_000_000, 1)) {
            ImageService images = service(store, proxy.host());
            ImageRecord record = images.pull(ImageReference.parse(proxy.host() + "/stream/cut:1"), Platform.host());

            assertTrue(proxy.connectionsAccepted() >= 2, "the download was cut and tried again");
            DiffId diffId = new DiffId(layer.diffId());
            assertTrue(store.hasLayer(diffId));
            assertTrue(store.hasBlob(new BlobDigest(layer.digest())));
            Path diff = store.layerDiffDir(diffId);
            assertArrayEquals(big, Files.readAllBytes(diff.resolve("usr/lib/big")));
            assertArrayEquals(small, Files.readAllBytes(diff.resolve("usr/lib/after")));
            assertEquals(List.of(new BlobDigest(layer.digest())),
                    record.layers().stream().map(l -> l.digest()).toList());
            assertEquals(0, entries(store.root().resolve("tmp")),
                    "the aborted attempt's temporary layer and blob are gone");
        }
    }

    @Test
    void aDiffIdMismatchFoundWhileStreamingIsTheErrorAndNothingIsCommitted() throws Exception {
        TestLayer good = layer();
        Digest wrong = Digest.sha256("something else".getBytes());
        TestLayer lying = new TestLayer(good.blob(), good.tar(), good.digest(), wrong, good.mediaType());
        TestImages.builder().layer(lying).push(registry, "stream/lying:1");
        Store store = Store.open(dir.resolve("store"), new JavaRemover());
        ImageService images = service(store, registry.host());

        JrunException e = assertThrows(JrunException.class,
                () -> images.pull(ImageReference.parse(registry.host() + "/stream/lying:1"), Platform.host()));
        assertTrue(e.getMessage().contains("does not match its diffID"), e.getMessage());
        assertFalse(store.hasLayer(new DiffId(wrong)));
        assertFalse(store.hasLayer(new DiffId(good.diffId())));
        assertEquals(0, entries(store.root().resolve("tmp")));
    }

    @Test
    void aLayerRefusedEarlyStopsTheDownloadAndIsTheErrorReported() throws Exception {
        // The hostile entry comes first, megabytes of data after it: the unpacker refuses the
        // layer while the download is still running; the download must not hang on a full pipe.
        TestLayer hostile = TestLayer.builder().file("../escape", small).file("big", big).build();
        TestImages.builder().layer(hostile).push(registry, "stream/hostile:1");
        Store store = Store.open(dir.resolve("store"), new JavaRemover());
        ImageService images = service(store, registry.host());

        JrunException e = assertThrows(JrunException.class,
                () -> images.pull(ImageReference.parse(registry.host() + "/stream/hostile:1"), Platform.host()));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertFalse(store.hasLayer(new DiffId(hostile.diffId())));
        assertEquals(0, entries(store.root().resolve("tmp")));
    }

    @Test
    void aSecondPullFindsEverythingStored() throws Exception {
        TestLayer layer = layer();
        TestImages.builder().layer(layer).push(registry, "stream/again:1");
        Store store = Store.open(dir.resolve("store"), new JavaRemover());
        ImageService images = service(store, registry.host());
        ImageRecord first = images.pull(ImageReference.parse(registry.host() + "/stream/again:1"), Platform.host());
        ImageRecord second = images.pull(ImageReference.parse(registry.host() + "/stream/again:1"), Platform.host());
        assertEquals(first.id(), second.id());
        assertTrue(store.hasLayer(new DiffId(layer.diffId())));
    }
}
