package dev.jrun.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;
import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.OwnershipApplier;
import dev.jrun.image.layer.UnpackLimits;
import dev.jrun.oci.Digest;
import dev.jrun.registry.MediaTypes;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.JavaRemover;
import dev.jrun.store.Store;
import dev.jrun.testing.TarBuilder;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load, save and import against a real store, with archives built here, hostile ones included. */
class ImageArchivesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Store store;
    ImageArchives archives;

    // Two layers: files, and a second layer adding one more.
    final TestLayer base = TestLayer.of(Map.of("etc/os-release", "ID=test\n".getBytes(), "bin/hello", "hi\n".getBytes()));
    final TestLayer top = TestLayer.of(Map.of("etc/motd", "welcome\n".getBytes()));
    final TestImages.Image image = TestImages.builder().layer(base).layer(top).cmd("/bin/sh").build();

    @BeforeEach
    void open() throws Exception {
        store = openStore("store");
        archives = archives(store, ArchiveLimits.defaults());
    }

    private Store openStore(String name) throws JrunException {
        return Store.open(dir.resolve(name), new JavaRemover());
    }

    private static ImageArchives archives(Store store, ArchiveLimits limits) {
        return new ImageArchives(store, new LayerImporter(store,
                new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()), OwnershipApplier.NONE), limits);
    }

    // ------------------------------------------------------------------ archives as the tools write them

    /** podman save --format docker-archive: DIFFID.tar, CONFIG.json, manifest.json, legacy ID/ links. */
    private byte[] podmanDockerArchive(String repoTags) {
        return podmanDockerArchive(image, repoTags);
    }

    private static byte[] podmanDockerArchive(TestImages.Image image, String repoTags) {
        String config = image.configDigest().hex() + ".json";
        TarBuilder tar = new TarBuilder();
        StringBuilder layers = new StringBuilder();
        for (TestLayer layer : image.layers()) {
            String name = layer.diffId().hex() + ".tar";
            tar.file(name, layer.tar(), 0444, e -> { });
            tar.dir(layer.diffId().hex().substring(0, 10), 0755);
            tar.symlink(layer.diffId().hex().substring(0, 10) + "/layer.tar", "../" + name);
            layers.append(layers.length() == 0 ? "" : ",").append('"').append(name).append('"');
        }
        tar.file(config, image.config(), 0444, e -> { });
        tar.file("manifest.json", "[{\"Config\":\"" + config + "\",\"RepoTags\":" + repoTags + ",\"Layers\":[" + layers
                + "]}]");
        tar.file("repositories", "{}");
        return tar.build();
    }

    /** Docker up to 24: ID/layer.tar files, manifest.json naming them. */
    private byte[] docker24Archive() {
        TarBuilder tar = new TarBuilder();
        StringBuilder layers = new StringBuilder();
        int i = 0;
        for (TestLayer layer : image.layers()) {
            String id = String.valueOf((char) ('a' + i++)).repeat(64);
            tar.dir(id + "/", 0755).file(id + "/VERSION", "1.0").file(id + "/json", "{}")
                    .file(id + "/layer.tar", layer.tar(), 0644, e -> { });
            layers.append(layers.length() == 0 ? "" : ",").append("\"").append(id).append("/layer.tar\"");
        }
        tar.file(image.configDigest().hex() + ".json", image.config(), 0644, e -> { });
        tar.file("manifest.json", "[{\"Config\":\"" + image.configDigest().hex() + ".json\",\"RepoTags\":"
                + "[\"docker.io/library/app:1\"],\"Layers\":[" + layers + "]}]");
        return tar.build();
    }

    /** Docker 25+: an OCI layout with uncompressed layers, plus manifest.json beside it. */
    private byte[] docker25Archive() {
        TarBuilder tar = new TarBuilder().dir("blobs/", 0755).dir("blobs/sha256/", 0755);
        StringBuilder layers = new StringBuilder();
        for (TestLayer layer : image.layers()) {
            tar.file("blobs/sha256/" + layer.diffId().hex(), layer.tar(), 0644, e -> { });
            layers.append(layers.length() == 0 ? "" : ",").append("\"blobs/sha256/").append(layer.diffId().hex())
                    .append('"');
        }
        tar.file("blobs/sha256/" + image.configDigest().hex(), image.config(), 0644, e -> { });
        tar.file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
        tar.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
        tar.file("manifest.json", "[{\"Config\":\"blobs/sha256/" + image.configDigest().hex() + "\",\"RepoTags\":"
                + "[\"app:2\"],\"Layers\":[" + layers + "]}]");
        return tar.build();
    }

    /** podman save --format oci-archive: gzip layers, the manifest, index.json with ref.name. */
    private byte[] ociArchive(String refName) {
        TarBuilder tar = new TarBuilder();
        ociFiles(refName).forEach((name, content) -> tar.file(name, content, 0644, e -> { }));
        return tar.build();
    }

    private Map<String, byte[]> ociFiles(String refName) {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}".getBytes());
        for (TestLayer layer : image.layers()) {
            files.put("blobs/sha256/" + layer.digest().hex(), layer.blob());
        }
        files.put("blobs/sha256/" + image.configDigest().hex(), image.config());
        files.put("blobs/sha256/" + image.digest().hex(), image.manifest());
        files.put("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + image.digest() + "\",\"size\":" + image.manifest().length
                + (refName == null ? "" : ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + refName + "\"}")
                + "}]}").getBytes());
        return files;
    }

    private ImageArchives.Loaded load(byte[] archive) throws JrunException {
        return archives.load(new ByteArrayInputStream(archive), "archive test.tar");
    }

    private void assertImageStored(ImageRecord record) throws Exception {
        assertEquals(image.configDigest(), record.configDigest().digest());
        assertEquals(2, record.layers().size());
        assertEquals("ID=test\n", Files.readString(store.layerDiffDir(record.layers().get(0).diffId()).resolve("etc/os-release")));
        assertEquals("welcome\n", Files.readString(store.layerDiffDir(record.layers().get(1).diffId()).resolve("etc/motd")));
        assertTrue(store.hasBlob(record.manifestDigest()));
        for (var layer : record.layers()) {
            assertTrue(store.hasBlob(layer.digest()), layer.toString());
        }
        assertTempEmpty();
    }

    private void assertTempEmpty() throws Exception {
        try (var s = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), s.toList(), "load leaves nothing in the store's tmp/");
        }
    }

    // ------------------------------------------------------------------ load: formats

    @Test
    void podmanDockerArchiveLoadsUnderLocalhostName() throws Exception {
        ImageArchives.Loaded loaded = load(podmanDockerArchive("[\"busybox:latest\",\"quay.io/x/y:3\"]"));
        assertEquals(List.of("localhost/busybox:latest", "quay.io/x/y:3"), loaded.loadedNames());
        ImageRecord record = loaded.images().get(0);
        assertImageStored(record);
        // docker-archive layers are uncompressed: blob digest == diffID
        assertEquals(record.layers().get(0).diffId().digest(), record.layers().get(0).digest().digest());
        assertEquals(Optional.of(record.id()), store.findImage("localhost/busybox:latest").map(ImageRecord::id));
    }

    @Test
    void severalImagesInOneDockerArchive() throws Exception {
        TestImages.Image second = TestImages.builder().layer(base).cmd("/bin/true").build();
        byte[] archive = new TarBuilder().file("base.tar", base.tar(), 0644, e -> { })
                .file("top.tar", top.tar(), 0644, e -> { })
                .file("one.json", image.config(), 0644, e -> { }).file("two.json", second.config(), 0644, e -> { })
                .file("manifest.json", "[{\"Config\":\"one.json\",\"RepoTags\":[\"one:1\"],\"Layers\":[\"base.tar\","
                        + "\"top.tar\"]},{\"Config\":\"two.json\",\"RepoTags\":[\"two:2\"],\"Layers\":[\"base.tar\"]}]")
                .build();
        ImageArchives.Loaded loaded = load(archive);
        assertEquals(List.of("localhost/one:1", "localhost/two:2"), loaded.loadedNames());
        assertEquals(second.configDigest(), loaded.images().get(1).configDigest().digest());
        assertEquals(loaded.images().get(0).layers().get(0), loaded.images().get(1).layers().get(0), "layer shared");
        assertEquals(2, store.images().size());
    }

    @Test
    void docker24AndDocker25ArchivesLoad() throws Exception {
        assertEquals(List.of("docker.io/library/app:1"), load(docker24Archive()).loadedNames());
        ImageArchives.Loaded loaded = load(docker25Archive());
        assertEquals(List.of("localhost/app:2"), loaded.loadedNames());
        assertImageStored(loaded.images().get(0));
    }

    @Test
    void gzipCompressedArchiveAndNamelessImage() throws Exception {
        ImageArchives.Loaded loaded = load(TarBuilder.gzip(podmanDockerArchive("null")));
        assertEquals(List.of("sha256:" + image.configDigest().hex()), loaded.loadedNames());
        assertEquals(List.of(), loaded.images().get(0).names());
    }

    @Test
    void ociArchiveUsesTheRefNameAnnotationAsPodmanDoes() throws Exception {
        assertEquals(List.of("localhost/busybox:latest"), load(ociArchive("localhost/busybox:latest")).loadedNames());
        // podman 4 normalizes a bare tag annotation as a short name, too
        assertEquals(List.of("localhost/latest:latest"), load(ociArchive("latest")).loadedNames());
        ImageArchives.Loaded loaded = load(ociArchive(null));
        ImageRecord record = loaded.images().get(0);
        assertImageStored(record);
        assertEquals(image.digest(), record.manifestDigest().digest(), "the OCI manifest is kept as is");
    }

    @Test
    void nestedIndexChoosesTheHostPlatform() throws Exception {
        Map<String, byte[]> files = ociFiles(null);
        dev.jrun.oci.Platform host = dev.jrun.oci.Platform.host();
        String other = host.architecture().equals("arm64") ? "amd64" : "arm64";
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:" + "1".repeat(64)
                + "\",\"size\":10,\"platform\":{\"os\":\"linux\",\"architecture\":\"" + other + "\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image.digest() + "\",\"size\":"
                + image.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\""
                + host.architecture() + "\"" + (host.variant().isEmpty() ? "" : ",\"variant\":\"" + host.variant() + "\"")
                + "}}]}").getBytes();
        Digest indexDigest = Digest.sha256(index);
        files.put("blobs/sha256/" + indexDigest.hex(), index);
        files.put("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"digest\":\"" + indexDigest + "\",\"size\":" + index.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi:1\"}}]}").getBytes());
        TarBuilder tar = new TarBuilder();
        files.forEach((n, c) -> tar.file(n, c, 0644, e -> { }));
        ImageArchives.Loaded loaded = load(tar.build());
        assertEquals(List.of("localhost/multi:1"), loaded.loadedNames());
        assertImageStored(loaded.images().get(0));
    }

    @Test
    void aBlobClaimingALayerTheStoreHasMustStillHoldIt() throws Exception {
        load(ociArchive("good"));
        // Same config (so the same diffIDs), but the top layer's blob is another tar: its
        // digest is right in the manifest, only its content is not the diffID's.
        TestLayer impostor = TestLayer.of(Map.of("etc/motd", "pwned\n".getBytes()));
        String manifest = new String(image.manifest(), StandardCharsets.UTF_8)
                .replace(top.digest().toString(), impostor.digest().toString())
                .replace("\"size\":" + top.size(), "\"size\":" + impostor.size());
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = ociFiles(null);
        files.remove("blobs/sha256/" + top.digest().hex());
        files.remove("blobs/sha256/" + image.digest().hex());
        files.put("blobs/sha256/" + impostor.digest().hex(), impostor.blob());
        files.put("blobs/sha256/" + Digest.sha256(manifestBytes).hex(), manifestBytes);
        files.put("index.json", ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + Digest.sha256(manifestBytes) + "\",\"size\":" + manifestBytes.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"evil\"}}]}").getBytes());
        TarBuilder tar = new TarBuilder();
        files.forEach((n, c) -> tar.file(n, c, 0644, e -> { }));
        JrunException e = assertThrows(JrunException.class, () -> load(tar.build()));
        assertTrue(e.getMessage().contains("does not uncompress to its diffID"), e.getMessage());
        assertEquals(Optional.empty(), store.findImage("localhost/evil:latest"));
    }

    @Test
    void ociLayoutDirectory() throws Exception {
        Path layout = dir.resolve("layout");
        for (var e : ociFiles("example.com/app:7").entrySet()) {
            Files.createDirectories(layout.resolve(e.getKey()).getParent());
            Files.write(layout.resolve(e.getKey()), e.getValue());
        }
        ImageArchives.Loaded loaded = archives.loadDirectory(layout);
        assertEquals(List.of("example.com/app:7"), loaded.loadedNames());
        assertImageStored(loaded.images().get(0));

        // a blob that is a symlink is refused, even to a file of the right content
        Path blob = layout.resolve("blobs/sha256/" + image.configDigest().hex());
        Path elsewhere = dir.resolve("config-copy");
        Files.move(blob, elsewhere);
        Files.createSymbolicLink(blob, elsewhere);
        JrunException e = assertThrows(JrunException.class, () -> archives.loadDirectory(layout));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
    }

    @Test
    void localNames() throws Exception {
        assertEquals("localhost/busybox:latest", ImageArchives.localName("busybox", "t"));
        assertEquals("localhost/foo/bar:1", ImageArchives.localName("foo/bar:1", "t"));
        assertEquals("docker.io/library/alpine:3", ImageArchives.localName("docker.io/alpine:3", "t"));
        assertEquals("127.0.0.1:5000/a/b:c", ImageArchives.localName("127.0.0.1:5000/a/b:c", "t"));
        assertThrows(JrunException.class, () -> ImageArchives.localName("UPPER CASE", "t"));
    }

    // ------------------------------------------------------------------ save and load again

    @Test
    void saveInEveryFormatLoadsBackAsTheSameImage() throws Exception {
        ImageRecord record = load(ociArchive("localhost/app:1")).images().get(0);
        for (ImageArchives.Format format : ImageArchives.Format.values()) {
            Path out = dir.resolve("out-" + format.flag());
            archives.save(record, "localhost/app:1", format, out);
            Store other = openStore("other-" + format.flag());
            ImageArchives otherArchives = archives(other, ArchiveLimits.defaults());
            ImageArchives.Loaded loaded = format == ImageArchives.Format.OCI_DIR ? otherArchives.loadDirectory(out)
                    : otherArchives.load(Files.newInputStream(out), "archive " + out);
            assertEquals(List.of("localhost/app:1"), loaded.loadedNames(), format.flag());
            ImageRecord again = loaded.images().get(0);
            assertEquals(record.id(), again.id(), format.flag());
            assertEquals("welcome\n", Files.readString(other.layerDiffDir(again.layers().get(1).diffId()).resolve("etc/motd")));
            try (var s = Files.list(dir)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".jrun-save-")), "no temporary left");
            }
        }
        // docker-archive: manifest.json as podman writes it; by ID there are no RepoTags
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archives.save(record, null, ImageArchives.Format.DOCKER_ARCHIVE, out);
        ImageArchives.Loaded byId = archives(openStore("by-id"), ArchiveLimits.defaults())
                .load(new ByteArrayInputStream(out.toByteArray()), "stdout");
        assertEquals(List.of("sha256:" + record.id()), byId.loadedNames());
    }

    @Test
    void saveToAnExistingDirectoryOrAFailingSaveLeavesNothing() throws Exception {
        ImageRecord record = load(ociArchive("localhost/app:1")).images().get(0);
        Path existing = Files.createDirectory(dir.resolve("existing"));
        JrunException e = assertThrows(JrunException.class,
                () -> archives.save(record, null, ImageArchives.Format.OCI_DIR, existing));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());

        // A layer blob gone from the store: the save fails and the old file stays as it was.
        Path target = dir.resolve("keep.tar");
        Files.writeString(target, "old");
        Files.delete(store.blobPath(record.layers().get(1).digest()));
        assertThrows(JrunException.class, () -> archives.save(record, null, ImageArchives.Format.OCI_ARCHIVE, target));
        assertEquals("old", Files.readString(target));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".jrun-save-")), "no temporary left");
        }
    }

    @Test
    void linkBlobTakesOnlyVerifiedFilesFromTheStoresTmp() throws Exception {
        Path outside = Files.write(dir.resolve("outside"), base.blob());
        assertThrows(IllegalArgumentException.class,
                () -> store.linkBlob(new dev.jrun.oci.BlobDigest(base.digest()), base.size(), outside));
        Path inside = Files.write(store.root().resolve("tmp").resolve("x-1-1"), base.blob());
        assertThrows(dev.jrun.store.StoreException.class,
                () -> store.linkBlob(new dev.jrun.oci.BlobDigest(top.digest()), -1, inside));
        assertThrows(dev.jrun.store.StoreException.class,
                () -> store.linkBlob(new dev.jrun.oci.BlobDigest(base.digest()), base.size() + 1, inside));
        assertFalse(store.hasBlob(new dev.jrun.oci.BlobDigest(top.digest())));
        Path blob = store.linkBlob(new dev.jrun.oci.BlobDigest(base.digest()), base.size(), inside);
        Files.delete(inside);
        assertEquals(TarBuilder.sha256(Files.readAllBytes(blob)), base.digest().toString());
    }

    // ------------------------------------------------------------------ import

    @Test
    void importMakesAOneLayerImageWithTheHostPlatform() throws Exception {
        byte[] rootfs = new TarBuilder().dir("bin", 0755).file("bin/sh", "#!fake\n", 0755).file("etc/hostname", "x\n")
                .build();
        ImageRecord record = archives.importRootfs(new ByteArrayInputStream(TarBuilder.gzip(rootfs)), "tarball t",
                Optional.of("mine"), List.of("CMD=/bin/sh", "ENV PATH=/bin", "WORKDIR=/tmp", "ENTRYPOINT [\"/bin/sh\"]"),
                null);
        assertEquals(List.of("localhost/mine:latest"), record.names());
        assertEquals(1, record.layers().size());
        assertEquals(Digest.parse(TarBuilder.sha256(rootfs)), record.layers().get(0).diffId().digest(),
                "the diffID is the digest of the uncompressed tar");
        assertEquals(MediaTypes.OCI_LAYER_GZIP, record.layers().get(0).mediaType());
        assertEquals("x\n", Files.readString(store.layerDiffDir(record.layers().get(0).diffId()).resolve("etc/hostname")));
        JsonNode config = JSON.readTree(Files.readAllBytes(store.blobPath(record.configDigest())));
        assertEquals("[\"/bin/sh\",\"-c\",\"/bin/sh\"]", config.path("config").path("Cmd").toString());
        assertEquals("[\"/bin/sh\"]", config.path("config").path("Entrypoint").toString());
        assertEquals("[\"PATH=/bin\"]", config.path("config").path("Env").toString());
        assertEquals("/tmp", config.path("config").path("WorkingDir").asText());
        assertEquals(dev.jrun.oci.Platform.host().architecture(), config.path("architecture").asText());
        assertEquals(record.layers().get(0).diffId().toString(), config.path("rootfs").path("diff_ids").get(0).asText());
        JsonNode manifest = JSON.readTree(Files.readAllBytes(store.blobPath(record.manifestDigest())));
        assertEquals(record.layers().get(0).digest().toString(), manifest.path("layers").get(0).path("digest").asText());
        assertTempEmpty();

        JrunException bad = assertThrows(JrunException.class, () -> archives.importRootfs(
                new ByteArrayInputStream(rootfs), "t", Optional.empty(), List.of("EXPOSE 80"), null));
        assertTrue(bad.getMessage().contains("--change EXPOSE 80"), bad.getMessage());
    }

    @Test
    void importRefusesAHostileTarballAndRecordsNothing() throws Exception {
        List<String> before = storeListing();
        byte[] evil = new TarBuilder().file("../../escape", "x").build();
        JrunException e = assertThrows(JrunException.class, () -> archives.importRootfs(new ByteArrayInputStream(evil),
                "tarball evil", Optional.of("evil"), List.of(), null));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertEquals(List.of(), store.images());
        assertFalse(Files.exists(dir.resolve("escape")));
        assertTempEmpty();
        assertEquals(before, storeListing(), "a refused import leaves the store as it was (no blob behind)");
    }

    @Test
    void importOfATarballBrokenAfterItsFirstEntryIsRefusedSayingWhereAndLeavesTheStoreAsItWas() throws Exception {
        List<String> before = storeListing();
        byte[] good = new TarBuilder().file("first", "1234").build();
        byte[] broken = java.util.Arrays.copyOf(good, good.length);
        java.util.Arrays.fill(broken, 1024, 1536, (byte) 'x'); // garbage where the next header is due
        JrunException e = assertThrows(JrunException.class, () -> archives.importRootfs(new ByteArrayInputStream(broken),
                "tarball broken.tar", Optional.of("broken"), List.of(), null));
        assertTrue(e.getMessage().contains("at byte 1024") && e.getMessage().contains("after entry \"first\"")
                && e.getMessage().contains("tarball broken.tar") && !e.getMessage().contains("pull again"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(125, e.exitCode());
        assertEquals(before, storeListing(), "a refused import leaves the store as it was");
        assertTempEmpty();
    }

    @Test
    void aLoadWhoseSecondLayerIsBrokenLeavesTheStoreAsItWas() throws Exception {
        byte[] good = new TarBuilder().file("first", "1234").build();
        byte[] broken = java.util.Arrays.copyOf(good, good.length);
        java.util.Arrays.fill(broken, 1024, 1536, (byte) 'x');
        dev.jrun.oci.Digest brokenDigest = dev.jrun.oci.Digest.sha256(broken);
        TestLayer brokenLayer = new TestLayer(broken, broken, brokenDigest, brokenDigest,
                "application/vnd.docker.image.rootfs.diff.tar");
        TestImages.Image bad = TestImages.builder().layer(base).layer(brokenLayer).build();
        List<String> before = storeListing();
        JrunException e = assertThrows(JrunException.class, () -> load(podmanDockerArchive(bad, "[\"bad:1\"]")));
        assertTrue(e.getMessage().contains("at byte 1024") && e.getMessage().contains("archive test.tar")
                && !e.getMessage().contains("pull again"), e.getMessage());
        assertEquals(125, e.exitCode());
        assertEquals(before, storeListing(), "the first layer was not committed either");
        assertTempEmpty();
    }

    /** Everything in the store but its tmp/ (emptied separately) and lock files. */
    private List<String> storeListing() throws IOException {
        try (var walk = Files.walk(store.root())) {
            return walk.map(p -> store.root().relativize(p).toString())
                    .filter(s -> !s.startsWith("tmp") && !s.contains("lock")).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ hostile archives

    private void assertRefused(byte[] archive, String expected) throws Exception {
        assertRefused(archive, expected, ArchiveLimits.defaults());
    }

    private void assertRefused(byte[] archive, String expected, ArchiveLimits limits) throws Exception {
        JrunException e = assertThrows(JrunException.class,
                () -> archives(store, limits).load(new ByteArrayInputStream(archive), "archive evil.tar"));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        assertEquals(125, e.exitCode());
        assertEquals(List.of(), store.images(), "nothing recorded");
        assertTempEmpty();
        assertFalse(Files.exists(dir.resolve("escape")));
        assertFalse(storeListing().stream().anyMatch(s -> s.startsWith("blobs/sha256/")), "no blob left behind: "
                + storeListing());
    }

    private byte[] dockerArchive(String configName, String layerName, TarBuilder extra) {
        TestLayer layer = image.layers().get(0);
        TestImages.Image one = TestImages.builder().layer(layer).build();
        return extra.file("c.json", one.config(), 0644, e -> { }).file("l.tar", layer.tar(), 0644, e -> { })
                .file("manifest.json", "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"x:1\"],\"Layers\":[\""
                        + layerName + "\"]}]").build();
    }

    @Test
    void entryNamesThatClimbOutOrAreAbsoluteAreRefused() throws Exception {
        assertRefused(new TarBuilder().file("../escape", "x").build(), "climbs out");
        assertRefused(new TarBuilder().file("a/../../escape", "x").build(), "climbs out");
        assertRefused(new TarBuilder().file("/etc/passwd", "x").build(), "absolute path");
    }

    @Test
    void manifestJsonPointingOutsideIsRefused() throws Exception {
        assertRefused(dockerArchive("../../etc/passwd", "l.tar", new TarBuilder()), "climbs out");
        assertRefused(dockerArchive("c.json", "/etc/passwd", new TarBuilder()), "absolute path");
        assertRefused(dockerArchive("c.json", "missing.tar", new TarBuilder()), "has no file \"missing.tar\"");
    }

    @Test
    void linksAreFollowedOnlyInsideTheArchive() throws Exception {
        assertRefused(dockerArchive("c.json", "link.tar", new TarBuilder().symlink("link.tar", "/etc/passwd")),
                "outside the archive");
        assertRefused(dockerArchive("c.json", "d/link.tar", new TarBuilder().symlink("d/link.tar", "../../escape")),
                "outside the archive");
        assertRefused(dockerArchive("c.json", "a", new TarBuilder().symlink("a", "b").symlink("b", "a")), "links");
        // a link that stays inside works, as in podman's legacy layout
        assertEquals(List.of("localhost/x:1"), load(dockerArchive("c.json", "d/layer.tar",
                new TarBuilder().symlink("d/layer.tar", "../l.tar"))).loadedNames());
    }

    @Test
    void layerNotMatchingItsDiffIdIsRefused() throws Exception {
        TestLayer other = TestLayer.of(Map.of("etc/other", "no\n".getBytes()));
        TestImages.Image one = TestImages.builder().layer(base).build();
        byte[] archive = new TarBuilder().file("c.json", one.config(), 0644, e -> { })
                .file("l.tar", other.tar(), 0644, e -> { })
                .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l.tar\"]}]").build();
        assertRefused(archive, "diff_ids[0] says " + base.diffId());
        // compressed in the archive (containers/image accepts that): caught while unpacking
        byte[] gz = new TarBuilder().file("c.json", one.config(), 0644, e -> { })
                .file("l.tar", other.blob(), 0644, e -> { })
                .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l.tar\"]}]").build();
        assertRefused(gz, "diffID");
        assertFalse(store.hasLayer(new dev.jrun.oci.DiffId(base.diffId())));
    }

    @Test
    void ociBlobsMustMatchDigestAndSize() throws Exception {
        Map<String, byte[]> files = ociFiles("x");
        files.put("blobs/sha256/" + top.digest().hex(), base.blob());
        TarBuilder tar = new TarBuilder();
        files.forEach((n, c) -> tar.file(n, c, 0644, e -> { }));
        assertRefused(tar.build(), "bytes but its descriptor says");

        Map<String, byte[]> same = ociFiles("x");
        byte[] forged = top.blob().clone();
        forged[forged.length - 1] ^= 1;
        same.put("blobs/sha256/" + top.digest().hex(), forged);
        TarBuilder tar2 = new TarBuilder();
        same.forEach((n, c) -> tar2.file(n, c, 0644, e -> { }));
        assertRefused(tar2.build(), "has digest");
    }

    @Test
    void malformedArchivesAreRefused() throws Exception {
        assertRefused("this is not a tar archive, just text".repeat(40).getBytes(), "not a");
        assertRefused(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0}, "zstd-compressed");
        assertRefused(new TarBuilder().file("manifest.json", "{").build(), "not valid JSON");
        assertRefused(new TarBuilder().file("manifest.json", "[]").build(), "not a non-empty list");
        assertRefused(new TarBuilder().file("x", "1").file("x", "2").build(), "appears twice");
        assertRefused(new TarBuilder().special("dev/sda", TarConstants.LF_BLK).build(), "block device");
        assertRefused(new TarBuilder().file("a", "b").build(), "not an image archive");
        assertRefused(new TarBuilder().file("repositories", "{}").build(), "manifest.json (Docker before 1.10)");
        assertRefused(new TarBuilder().file("manifest.json",
                "[{\"Config\":\"c.json\",\"RepoTags\":[\"NOT VALID\"],\"Layers\":[]}]").build(), "not a valid image name");
    }

    @Test
    void bombsAreRefusedByTheLimits() throws Exception {
        assertRefused(podmanDockerArchive("null"), "decompression bomb", new ArchiveLimits(2048, 1000, 1 << 20));
        assertRefused(podmanDockerArchive("null"), "more than 3 entries", new ArchiveLimits(1L << 30, 3, 1 << 20));
        // a GNU long-name header declaring 2 MiB: refused before commons-compress buffers it
        byte[] longName = new byte[512 * 8];
        System.arraycopy(TarBuilder.rawHeader("././@LongLink", (byte) 'L', 2 << 20), 0, longName, 0, 512);
        assertRefused(longName, "GNU long name");
        byte[] big = new TarBuilder().file("manifest.json", "[" + " ".repeat(2000) + "]").build();
        assertRefused(big, "jrun reads into memory", new ArchiveLimits(1L << 30, 1000, 1000));
    }

    @Test
    void hostileLayerInsideAValidArchiveIsRefusedByTheUnpacker() throws Exception {
        TestLayer evil = TestLayer.builder().file("../../escape", "x".getBytes(StandardCharsets.UTF_8)).build();
        TestImages.Image one = TestImages.builder().layer(evil).build();
        byte[] archive = new TarBuilder().file("c.json", one.config(), 0644, e -> { })
                .file("l.tar", evil.tar(), 0644, e -> { })
                .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l.tar\"]}]").build();
        assertRefused(archive, "..");
        assertNull(store.findImage("localhost/x:1").orElse(null));
    }
}
