package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Platform;

import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerRefusedException;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.OwnershipApplier;
import dev.jrun.image.layer.UnpackLimits;
import dev.jrun.testing.TarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

// Lock holds are try-with-resources whose variable is unused by design.
@SuppressWarnings("try")
class StoreTest {

    @TempDir
    Path temp;
    Path root;
    Store store;

    @BeforeEach
    void setUp() throws Exception {
        root = temp.resolve("store");
        store = Store.open(root, new JavaRemover());
    }

    private LayerImporter importer() {
        return new LayerImporter(store, new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()),
                OwnershipApplier.NONE);
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /** A stored layer: its gzip blob and its unpacked directory. */
    private LayerRef storeLayer(byte[] tar) throws Exception {
        byte[] gz = TarBuilder.gzip(tar);
        BlobDigest digest = BlobDigest.parse(TarBuilder.sha256(gz));
        DiffId diffId = DiffId.parse(TarBuilder.sha256(tar));
        store.putBlob(digest, gz.length, new ByteArrayInputStream(gz));
        importer().importLayer(new ByteArrayInputStream(gz), diffId, "application/vnd.oci.image.layer.v1.tar+gzip");
        return new LayerRef(digest, diffId, gz.length, "application/vnd.oci.image.layer.v1.tar+gzip");
    }

    private ImageRecord storeImage(String name, String configJson, LayerRef... layers) throws Exception {
        byte[] config = configJson.getBytes(StandardCharsets.UTF_8);
        BlobDigest configDigest = BlobDigest.parse(TarBuilder.sha256(config));
        store.putBlob(configDigest, config.length, new ByteArrayInputStream(config));
        return store.putImage(new ImageRecord(name == null ? List.of() : List.of(name), null, configDigest, List.of(layers),
                new Platform("linux", "amd64", null), null, null));
    }

    @Test
    void storeRootIsPrivate() throws Exception {
        assertEquals(0700, (Integer) Files.getAttribute(root, "unix:mode") & 0777);
    }

    @Test
    void blobIsStoredUnderItsDigest() throws Exception {
        byte[] data = "config".getBytes(StandardCharsets.UTF_8);
        BlobDigest d = BlobDigest.parse(TarBuilder.sha256(data));
        Path p = store.putBlob(d, data.length, new ByteArrayInputStream(data));
        assertEquals(root.resolve("blobs/sha256/" + d.digest().hex()), p);
        assertTrue(store.hasBlob(d));
        try (var in = store.openBlob(d)) {
            assertEquals("config", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(0, count(root.resolve("tmp")));
    }

    @Test
    void digestMismatchIsRefusedAndLeavesNothing() throws Exception {
        byte[] data = "tampered".getBytes(StandardCharsets.UTF_8);
        BlobDigest claimed = BlobDigest.parse(TarBuilder.sha256("original".getBytes(StandardCharsets.UTF_8)));
        StoreException e = assertThrows(StoreException.class,
                () -> store.putBlob(claimed, data.length, new ByteArrayInputStream(data)));
        assertTrue(e.getMessage().contains("does not match its digest") && e.getMessage().contains(claimed.toString()),
                e.getMessage());
        assertFalse(store.hasBlob(claimed));
        assertEquals(0, count(root.resolve("tmp")));
        assertEquals(0, count(root.resolve("blobs/sha256")));
    }

    @Test
    void sizeMismatchIsRefused() throws Exception {
        byte[] data = "abc".getBytes(StandardCharsets.UTF_8);
        BlobDigest d = BlobDigest.parse(TarBuilder.sha256(data));
        StoreException shorter = assertThrows(StoreException.class, () -> store.putBlob(d, 4, new ByteArrayInputStream(data)));
        assertTrue(shorter.getMessage().contains("declares 4"), shorter.getMessage());
        StoreException longer = assertThrows(StoreException.class, () -> store.putBlob(d, 2, new ByteArrayInputStream(data)));
        assertTrue(longer.getMessage().contains("longer than the 2 bytes"), longer.getMessage());
        assertEquals(0, count(root.resolve("tmp")));
        assertFalse(store.hasBlob(d));
    }

    @Test
    void oneDownloadPassStoresTheBlobAndUnpacksTheLayer() throws Exception {
        byte[] tar = new TarBuilder().file("etc/os-release", "ID=test").build();
        byte[] gz = TarBuilder.gzip(tar);
        BlobDigest digest = BlobDigest.parse(TarBuilder.sha256(gz));
        DiffId diffId = DiffId.parse(TarBuilder.sha256(tar));
        try (BlobWriter blob = store.newBlobWriter(digest, gz.length)) {
            importer().importLayer(blob.teeFrom(new ByteArrayInputStream(gz)), diffId, null);
            blob.commit();
        }
        assertTrue(store.hasBlob(digest));
        assertTrue(store.hasLayer(diffId));
        assertEquals("ID=test", Files.readString(store.layerDiffDir(diffId).resolve("etc/os-release")));
    }

    @Test
    void layerWithWrongDiffIdIsRefusedAndNothingIsKept() throws Exception {
        byte[] tar = new TarBuilder().file("f", "x").build();
        DiffId wrong = DiffId.parse("sha256:" + "1".repeat(64));
        LayerRefusedException e = assertThrows(LayerRefusedException.class,
                () -> importer().importLayer(new ByteArrayInputStream(tar), wrong, null));
        assertTrue(e.getMessage().contains("does not match its diffID"), e.getMessage());
        assertFalse(store.hasLayer(wrong));
        assertEquals(0, count(root.resolve("tmp")));
        assertEquals(0, count(root.resolve("layers/sha256")));
    }

    @Test
    void hostileLayerLeavesNothingInTheStore() throws Exception {
        byte[] tar = new TarBuilder().symlink("a", "/etc").file("a/passwd", "evil").build();
        assertThrows(LayerRefusedException.class,
                () -> importer().importLayer(new ByteArrayInputStream(tar), DiffId.parse(TarBuilder.sha256(tar)), null));
        assertEquals(0, count(root.resolve("tmp")));
        assertEquals(0, count(root.resolve("layers/sha256")));
    }

    @Test
    void committedLayerHasDiffDirMetadataAndOwnership() throws Exception {
        byte[] tar = new TarBuilder().owned("home/f", "x", 0644, 1000, 1000).special("dev/null", (byte) '3').build();
        LayerRef ref = storeLayer(tar);
        assertTrue(store.hasLayer(ref.diffId()));
        assertEquals("x", Files.readString(store.layerDiffDir(ref.diffId()).resolve("home/f")));
        LayerMetadata meta = store.layerMetadata(ref.diffId());
        assertEquals(ref.diffId(), meta.diffId());
        assertEquals(tar.length, meta.uncompressedBytes());
        assertEquals(1, meta.notes().size());
        assertEquals(1000, LayerImporter.recordedOwnership(store, ref.diffId()).entries().get(0).uid());
    }

    @Test
    void twoThreadsStoringTheSameBlobAndLayerBothSucceedAndStoreItOnce() throws Exception {
        byte[] tar = new TarBuilder().dir("d/", 0755).file("d/f", "content").file(".wh.gone", "").build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CyclicBarrier start = new CyclicBarrier(4);
        try {
            List<Future<LayerRef>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<LayerRef>) () -> {
                    start.await();
                    try (Store.Lease lease = store.lease()) {
                        return storeLayer(tar);
                    }
                }));
            }
            for (Future<LayerRef> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, count(root.resolve("blobs/sha256")));
        assertEquals(1, count(root.resolve("layers/sha256")));
        assertEquals(0, count(root.resolve("tmp")));
    }

    @Test
    void twoProcessesStoringTheSameBlobAndLayerBothSucceedAndStoreItOnce() throws Exception {
        byte[] tar = bigishLayer();
        byte[] gz = TarBuilder.gzip(tar);
        Path file = temp.resolve("layer.tar.gz");
        Files.write(file, gz);
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            procs.add(worker("blob+layer", root.toString(), file.toString(), TarBuilder.sha256(gz), TarBuilder.sha256(tar)));
        }
        for (Process p : procs) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("stored"), out);
        }
        assertEquals(1, count(root.resolve("blobs/sha256")));
        assertEquals(1, count(root.resolve("layers/sha256")));
        assertTrue(store.hasLayer(DiffId.parse(TarBuilder.sha256(tar))));
    }

    @Test
    void blobWriterKilledWithSigkillLeavesATempFileTheNextOpenRemoves() throws Exception {
        byte[] data = "the real blob".getBytes(StandardCharsets.UTF_8);
        BlobDigest d = BlobDigest.parse(TarBuilder.sha256(data));
        Process p = worker("slow-blob", root.toString(), d.toString());
        awaitLine(p, "writing");
        Thread.sleep(300);
        p.destroyForcibly(); // SIGKILL
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(1, count(root.resolve("tmp")), "the killed writer leaves its temporary file");
        assertFalse(store.hasBlob(d), "a killed writer's blob is never visible");

        Store reopened = Store.open(root, new JavaRemover());
        assertEquals(0, count(root.resolve("tmp")), "the next open removes the dead writer's file");
        reopened.putBlob(d, data.length, new ByteArrayInputStream(data));
        assertTrue(reopened.hasBlob(d));
    }

    @Test
    void layerUnpackKilledWithSigkillIsNeverUsedAndTheNextImportCompletes() throws Exception {
        byte[] tar = bigishLayer();
        Path file = temp.resolve("layer.tar");
        Files.write(file, tar);
        DiffId diffId = DiffId.parse(TarBuilder.sha256(tar));
        Process p = worker("slow-layer", root.toString(), file.toString(), diffId.toString());
        awaitLine(p, "writing");
        Thread.sleep(1500);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        assertFalse(store.hasLayer(diffId));
        assertFalse(Files.exists(store.layerDir(diffId), LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, count(root.resolve("tmp")), "the killed unpack leaves its temporary directory");

        Store reopened = Store.open(root, new JavaRemover());
        assertEquals(0, count(root.resolve("tmp")));
        new LayerImporter(reopened, new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()),
                OwnershipApplier.NONE).importLayer(new ByteArrayInputStream(tar), diffId, null);
        assertTrue(reopened.hasLayer(diffId));
    }

    @Test
    void simulatedCrashDebrisIsCleanedAndIgnored() throws Exception {
        long deadPid = deadPid();
        Path staleBlob = root.resolve("tmp/blob-" + deadPid + "-1");
        Files.writeString(staleBlob, "half a blob");
        Path staleLayer = root.resolve("tmp/layer-" + deadPid + "-2/diff/locked");
        Files.createDirectories(staleLayer);
        Files.writeString(staleLayer.resolve("f"), "x");
        Files.setAttribute(staleLayer, "unix:mode", 0500);
        Path ours = root.resolve("tmp/blob-" + ProcessHandle.current().pid() + "-3");
        Files.writeString(ours, "a live writer in this process");

        Store reopened = Store.open(root, new JavaRemover());
        assertFalse(Files.exists(staleBlob));
        assertFalse(Files.exists(root.resolve("tmp/layer-" + deadPid + "-2")));
        assertTrue(Files.exists(ours), "a live process's temporary file must be left alone");
        Files.delete(ours);
        store = reopened;
        LayerRef stored = storeLayer(new TarBuilder().file("f", "ok").build());
        assertTrue(reopened.hasLayer(stored.diffId()));
        assertEquals(1, count(root.resolve("layers/sha256")));
    }

    @Test
    void debrisThatCannotBeRemovedIsReportedNotFatal() throws Exception {
        Path stale = root.resolve("tmp/layer-" + deadPid() + "-9");
        Files.createDirectories(stale);
        Store opened = Store.open(root, path -> {
            throw new java.io.IOException("Operation not permitted");
        });
        assertEquals(1, opened.cleanupWarnings().size());
        assertTrue(opened.cleanupWarnings().get(0).contains(stale.toString()), opened.cleanupWarnings().toString());
    }

    @Test
    void imagesAreFoundByNameIdAndPrefix() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        ImageRecord a = storeImage("docker.io/library/alpine:latest", "{\"a\":1}", l);
        assertEquals(a.id(), store.findImage("docker.io/library/alpine:latest").orElseThrow().id());
        assertEquals(a.id(), store.findImage(a.id()).orElseThrow().id());
        assertEquals(a.id(), store.findImage("sha256:" + a.id()).orElseThrow().id());
        assertEquals(a.id(), store.findImage(a.id().substring(0, 5)).orElseThrow().id());
        assertTrue(store.findImage("docker.io/library/busybox:latest").isEmpty());
        assertTrue(store.findImage("zz").isEmpty());
        assertEquals(List.of("docker.io/library/alpine:latest"), store.findImage(a.id()).orElseThrow().names());
    }

    @Test
    void aNameMovesToTheNewImage() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        ImageRecord old = storeImage("localhost/app:1", "{\"v\":1}", l);
        ImageRecord fresh = storeImage("localhost/app:1", "{\"v\":2}", l);
        assertEquals(fresh.id(), store.findImage("localhost/app:1").orElseThrow().id());
        assertEquals(List.of(), store.findImage(old.id()).orElseThrow().names(), "the old image is dangling");
    }

    @Test
    void rmiDeletesOnlyWhatNoOtherImageUses() throws Exception {
        LayerRef shared = storeLayer(new TarBuilder().file("base", "b").build());
        LayerRef onlyA = storeLayer(new TarBuilder().file("a", "a").build());
        LayerRef onlyB = storeLayer(new TarBuilder().file("b", "b").build());
        ImageRecord a = storeImage("localhost/a:latest", "{\"a\":1}", shared, onlyA);
        ImageRecord b = storeImage("localhost/b:latest", "{\"b\":1}", shared, onlyB);

        RemovalReport r = store.removeImage("localhost/a:latest", false);
        assertEquals(List.of(a.id()), r.images());
        assertEquals(List.of(onlyA.diffId()), r.layers());
        assertTrue(r.blobs().contains(onlyA.digest()) && r.blobs().contains(a.configDigest()));
        assertFalse(r.blobs().contains(shared.digest()));
        assertTrue(store.hasLayer(shared.diffId()));
        assertFalse(store.hasLayer(onlyA.diffId()));
        assertFalse(store.hasBlob(onlyA.digest()));

        store.removeImage(b.id(), false);
        assertFalse(store.hasLayer(shared.diffId()));
        assertEquals(0, count(root.resolve("layers/sha256")));
        assertEquals(0, count(root.resolve("blobs/sha256")));
        assertEquals(0, count(root.resolve("tmp")));
    }

    @Test
    void rmiOfOneOfSeveralNamesOnlyUntags() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        storeImage("localhost/x:1", "{\"x\":1}", l);
        ImageRecord both = storeImage("localhost/x:2", "{\"x\":1}", l);
        assertEquals(2, both.names().size());
        StoreException byId = assertThrows(StoreException.class, () -> store.removeImage(both.id(), false));
        assertTrue(byId.getMessage().contains("several names"), byId.getMessage());
        RemovalReport r = store.removeImage("localhost/x:1", false);
        assertEquals(List.of("localhost/x:1"), r.untagged());
        assertTrue(store.hasLayer(l.diffId()));
    }

    @Test
    void rmiRefusesWhileAContainerUsesTheImageAndForceKeepsItsLayers() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        ImageRecord img = storeImage("localhost/c:1", "{\"c\":1}", l);
        ContainerArea area = container(store, "c1", img);
        assertEquals(List.of(store.layerDiffDir(l.diffId())), area.lowerDirs());
        assertTrue(Files.isDirectory(area.upper()) && Files.isDirectory(area.work()));

        StoreException e = assertThrows(StoreException.class, () -> store.removeImage("localhost/c:1", false));
        assertTrue(e.getMessage().contains("c1"), e.getMessage());
        store.removeImage("localhost/c:1", true);
        assertTrue(store.hasLayer(l.diffId()), "a running container's layer must stay");

        store.containers().remove("c1");
        RemovalReport pruned = store.prune();
        assertEquals(List.of(l.diffId()), pruned.layers());
        assertFalse(store.hasLayer(l.diffId()));
    }

    @Test
    void aContainerWhoseJrunWasKilledIsRemovedByTheNextOpenAndNoLongerPinsItsImage() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        ImageRecord img = storeImage("localhost/k:1", "{\"k\":1}", l);
        ContainerArea alive = container(store, "alive", img);
        ContainerArea killed = container(store, "killed", img);
        Files.writeString(killed.upper().resolve("written"), "x");
        // Its owner is a process that has ended (as a jrun killed with SIGKILL).
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path record = killed.dir().resolve("container.json");
        Files.writeString(record, Files.readString(record).replaceAll("\"ownerPid\"\\s*:\\s*\\d+",
                "\"ownerPid\" : " + gone.pid()));
        assertTrue(Files.readString(record).contains("\"ownerPid\" : " + gone.pid()), Files.readString(record));

        Store reopened = Store.open(root, new JavaRemover());
        assertFalse(Files.exists(killed.dir()), "the dead container's area must go");
        assertTrue(Files.exists(alive.dir()), "a container of a live jrun (this JVM) must stay");
        reopened.containers().remove("alive");
        reopened.removeImage("localhost/k:1", false);
        assertFalse(reopened.hasLayer(l.diffId()));
    }

    @Test
    void containerRemovalCopesWithReadOnlyDirectories() throws Exception {
        LayerRef l = storeLayer(new TarBuilder().file("f", "1").build());
        ContainerArea area = container(store, "ro", storeImage("localhost/ro:1", "{}", l));
        Path locked = Files.createDirectories(area.upper().resolve("etc/locked"));
        Files.writeString(locked.resolve("f"), "x");
        Files.createSymbolicLink(area.upper().resolve("escape"), temp);
        Files.setAttribute(locked, "unix:mode", 0555);
        store.containers().remove("ro");
        assertFalse(Files.exists(area.dir()));
        assertTrue(Files.exists(temp), "removal must not follow symlinks");
        assertThrows(StoreException.class, () -> store.containers().get("ro"));
        assertThrows(StoreException.class, () -> container(store, "../evil", storeImage(null, "{\"e\":1}")));
    }

    @Test
    void pruneRemovesDanglingImagesAndUnreferencedContent() throws Exception {
        LayerRef l1 = storeLayer(new TarBuilder().file("f", "1").build());
        LayerRef l2 = storeLayer(new TarBuilder().file("f", "2").build());
        storeImage("localhost/p:1", "{\"p\":1}", l1);
        storeImage("localhost/p:1", "{\"p\":2}", l2); // the first image is now dangling
        LayerRef orphan = storeLayer(new TarBuilder().file("f", "3").build()); // a pull that never recorded an image
        RemovalReport r = store.prune();
        assertEquals(1, r.images().size());
        assertTrue(r.layers().contains(l1.diffId()) && r.layers().contains(orphan.diffId()));
        assertTrue(store.hasLayer(l2.diffId()));
        assertEquals(1, store.images().size());
    }

    @Test
    void pruneWaitsForAPullHoldingALeaseAndThenKeepsWhatItRecorded() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RemovalReport> prune;
            LayerRef layer;
            try (Store.Lease lease = store.lease()) {
                layer = storeLayer(new TarBuilder().file("f", "pulled").build());
                prune = pool.submit(() -> store.prune());
                Thread.sleep(300);
                assertFalse(prune.isDone(), "prune must wait while a pull holds a lease");
                storeImage("localhost/pulled:1", "{\"pulled\":1}", layer);
            }
            RemovalReport r = prune.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(), r.layers());
            assertTrue(store.hasLayer(layer.diffId()));
            assertTrue(store.hasBlob(layer.digest()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void putImageRefusesMissingLayers() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        BlobDigest cd = BlobDigest.parse(TarBuilder.sha256(config));
        store.putBlob(cd, config.length, new ByteArrayInputStream(config));
        DiffId missing = DiffId.parse("sha256:" + "2".repeat(64));
        StoreException e = assertThrows(StoreException.class, () -> store.putImage(new ImageRecord(List.of("x"), null, cd,
                List.of(new LayerRef(BlobDigest.parse("sha256:" + "3".repeat(64)), missing, 1, null)), null, null, null)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] bigishLayer() {
        TarBuilder b = new TarBuilder();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] content = new byte[8192];
            random.nextBytes(content);
            b.file("dir" + (i % 10) + "/file" + i, content, 0644, e -> { });
        }
        return b.build();
    }

    private static Process worker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreWorker.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static void awaitLine(Process p, String expected) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.contains(expected)) {
                return;
            }
        }
        throw new AssertionError("worker ended without printing \"" + expected + "\"");
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static ContainerArea container(Store store, String id, ImageRecord image) throws StoreException {
        List<dev.jrun.oci.DiffId> layers = image.layers().stream().map(LayerRef::diffId).toList();
        return store.containers().create(ContainerRecord.ofThisProcess(id, id, image.id(), "test", layers, List.of("sh"),
                java.time.Instant.now().toString(), false, List.of()), true);
    }
}
