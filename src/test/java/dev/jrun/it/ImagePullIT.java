package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.it.TestUsers.User;
import dev.jrun.oci.Digest;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RemoteRepository;
import dev.jrun.testing.FlakyProxy;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pulls that go wrong, for real: concurrent pulls into one store, a pull killed with SIGKILL, a
 * registry connection cut mid-blob, hostile layers and tampered blobs served by a real
 * registry. Each must leave the store consistent: no image recorded, nothing half-written used,
 * nothing written outside the store.
 */
class ImagePullIT {
    static User alice;
    static TestRegistry registry;
    private final List<ImageEnv> envs = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        TestInstall.dir();
        registry = TestRegistry.start();
    }

    @AfterAll
    static void tearDown() {
        if (registry != null) registry.close();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        try {
            ImageEnv.assertNothingLeftBehind(envs.stream().map(e -> e.store).toList());
            for (ImageEnv env : envs) {
                if (Files.isDirectory(env.store)) {
                    assertEquals(List.of(), ImageEnv.names(env.store.resolve("containers")));
                }
            }
        } finally {
            envs.forEach(ImageEnv::close);
        }
    }

    private ImageEnv env(String mirror) {
        ImageEnv env = new ImageEnv(alice, mirror);
        envs.add(env);
        return env;
    }

    /** A layer of {@code megabytes} MB of random data (incompressible) at big/data, and its SHA-256. */
    private static TestLayer bigLayer(int megabytes, long seed) {
        byte[] data = new byte[megabytes * 1024 * 1024];
        new Random(seed).nextBytes(data);
        return TestLayer.builder().dir("big").file("big/data", data, 0644, 0, 0).build();
    }

    private static String sha256(TestLayer layer, String path) throws Exception {
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(layer.tar()))) {
            for (TarArchiveEntry e; (e = in.getNextTarEntry()) != null; ) {
                if (e.getName().equals(path)) {
                    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
                }
            }
        }
        throw new AssertionError(path + " not in layer");
    }

    @Test
    void twoConcurrentPullsBothSucceedAndTheStoreHoldsEachLayerOnce() throws Exception {
        TestImages.Pushed pushed = ItImages.base(bigLayer(3, 1)).push(registry, "library/concurrent:latest");
        ImageEnv env = env(registry.host());
        Process one = env.start("pull", "-q", "concurrent");
        Process two = env.start("pull", "-q", "concurrent");
        int exitOne = one.waitFor();
        int exitTwo = two.waitFor();
        String outOne = new String(one.getInputStream().readAllBytes());
        String outTwo = new String(two.getInputStream().readAllBytes());
        assertEquals(0, exitOne, new String(one.getErrorStream().readAllBytes()));
        assertEquals(0, exitTwo, new String(two.getErrorStream().readAllBytes()));
        assertEquals(outOne, outTwo);
        List<String> expected = pushed.image().layers().stream().map(l -> l.diffId().hex()).sorted().toList();
        assertEquals(expected, env.layerDirs());
        assertEquals(1, new ObjectMapper().readTree(env.imagesJson()).size());
        env.assertNoDebris();
        assertEquals("concurrent\n", env.ok("run", "--rm", "-q", "concurrent", "sh", "-c", "test -s /big/data && echo concurrent"));
    }

    @Test
    void aPullKilledMidBlobLeavesNoImageAndTheNextPullCompletesIt() throws Exception {
        TestLayer big = bigLayer(8, 2);
        ItImages.base(big).push(registry, "library/killed:latest");
        try (FlakyProxy proxy = FlakyProxy.start(registry.port())) {
            // Every answer goes silent after 1 MB: the download hangs mid-blob until jrun is killed.
            proxy.stallAfterBytes(1024 * 1024, 1000);
            ImageEnv env = env(proxy.host());
            Process pull = env.start("pull", "killed");
            Path tmp = env.store.resolve("tmp");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && !someFileHasData(tmp)) Thread.sleep(50);
            assertTrue(someFileHasData(tmp), "the pull never started writing into " + tmp);
            // kill -9 the JVM itself: no shutdown hook, no cleanup.
            for (ProcessHandle h : pull.descendants().toList()) {
                if (h.info().command().orElse("").endsWith("java")) Host.check("kill", "-KILL", String.valueOf(h.pid()));
            }
            assertTrue(pull.waitFor() != 0, "the killed pull must not report success");
            env.assertNoImages();
            assertFalse(env.layerDirs().contains(big.diffId().hex()), "a half-pulled layer was committed");

            // A jrun killed later, after it gave an unpacked layer its owners, leaves files of
            // subordinate IDs in tmp/ that alice cannot delete on the host (made here as root).
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Path debris = tmp.resolve("layer-" + gone.pid() + "-1234abcd");
            long subUid = ImageEnv.hostId(alice.uid(), alice.subuid(), 1000);
            long subGid = ImageEnv.hostId(alice.gid(), alice.subgid(), 1000);
            Host.check("sh", "-c", "mkdir -p '" + debris + "/diff/etc' && echo x > '" + debris + "/diff/etc/file'"
                    + " && chown -R " + subUid + ":" + subGid + " '" + debris + "/diff' && chmod 555 '" + debris + "/diff/etc'"
                    + " && chown " + alice.uid() + " '" + debris + "'");

            proxy.stallAfterBytes(Long.MAX_VALUE, 0);
            env.ok("pull", "killed");
            env.assertNoDebris();
            assertEquals(sha256(big, "big/data") + "  /big/data\n",
                    env.ok("run", "--rm", "-q", "killed", "sha256sum", "/big/data"));
        }
    }

    private static boolean someFileHasData(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> {
                try {
                    return Files.isRegularFile(p) && Files.size(p) > 0;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void aConnectionCutMidBlobIsRetriedOrFailsCleanly() throws Exception {
        TestLayer big = bigLayer(4, 3);
        ItImages.base(big).push(registry, "library/dropped:latest");
        try (FlakyProxy proxy = FlakyProxy.start(registry.port())) {
            ImageEnv env = env(proxy.host());
            // Two cuts mid-download: the retries start the blob over and the pull succeeds.
            proxy.cutAfterBytes(1536 * 1024, 2);
            Host.Result r = env.jrun("pull", "dropped");
            assertEquals(0, r.exit(), r.describe());
            env.assertNoDebris();
            assertEquals(sha256(big, "big/data") + "  /big/data\n",
                    env.ok("run", "--rm", "-q", "dropped", "sha256sum", "/big/data"));

            // Cut every time: the pull gives up with 125, records nothing and leaves no temporaries.
            ImageEnv fresh = env(proxy.host());
            proxy.cutAfterBytes(1536 * 1024, 1000);
            Host.Result failed = fresh.jrun("pull", "dropped");
            assertEquals(125, failed.exit(), failed.describe());
            fresh.assertNoImages();
            assertFalse(fresh.layerDirs().contains(big.diffId().hex()), "a truncated layer was committed");
            fresh.assertNoDebris();
        }
    }

    /**
     * newuidmap can fail when the map is written (ranges that overlap another user's, a helper
     * that lost its setuid bit while jrun ran). Layers are unpacked in parallel, and each gives
     * its files their owners in a user-namespace helper: the failure must end the pull with 125
     * and newuidmap's message, not leave it waiting for ever. The failing helper is a root-owned
     * mode 4755 script first on PATH (it passes jrun's setuid check; the kernel ignores the bit
     * on scripts), so the host's real newuidmap is never touched.
     */
    @Test
    void aNewuidmapThatFailsEndsAParallelPullInsteadOfHangingIt() throws Exception {
        byte[] data = "x\n".getBytes(StandardCharsets.UTF_8);
        List<TestLayer> layers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            layers.add(TestLayer.builder().dir("l" + i).file("l" + i + "/f", data, 0644, 1000, 1000).build());
        }
        ItImages.base(layers.toArray(TestLayer[]::new)).push(registry, "library/parallelmaps:latest");
        ImageEnv env = env(registry.host());
        Path bin = env.dir.resolve("bin");
        Files.createDirectories(bin);
        for (String helper : List.of("newuidmap", "newgidmap")) {
            Files.writeString(bin.resolve(helper), "#!/bin/sh\necho \"" + helper + ": write to map failed: Operation not permitted\" >&2\n"
                    + "exit 1\n");
            Host.check("chmod", "4755", bin.resolve(helper).toString());
        }
        Host.check("chmod", "755", bin.toString());
        java.util.Map<String, String> environment = new java.util.HashMap<>(env.env());
        environment.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        Host.Result r = Host.run(TestInstall.command(alice.name(), environment, "pull", "parallelmaps"),
                TestInstall.dir().toFile(), 90);
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains("write to map failed"), r.describe());
        env.assertNoImages();
        // The same for a container launch: 125 with the helper's message, at once.
        Host.Result run = Host.run(TestInstall.command(alice.name(), environment, "run", "--rm", "--rootfs",
                TestInstall.rootfs().toString(), "true"), TestInstall.dir().toFile(), 60);
        assertEquals(125, run.exit(), run.describe());
        assertTrue(run.err().contains("newuidmap") && run.err().contains("write to map failed"), run.describe());
    }

    // ------------------------------------------------------------------ hostile layers

    private static TestLayer hostile(TarArchiveEntry... entries) {
        TestLayer.Builder b = TestLayer.builder();
        for (TarArchiveEntry e : entries) {
            byte[] content = null;
            if (e.isFile() && !e.isLink() && !e.isSymbolicLink()) {
                content = "pwned\n".getBytes(StandardCharsets.UTF_8);
                e.setSize(content.length);
            }
            b.raw(e, content);
        }
        return b.build();
    }

    private static TarArchiveEntry file(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setMode(0644);
        return e;
    }

    private static TarArchiveEntry link(String name, byte type, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(0777);
        e.setLinkName(target);
        return e;
    }

    /**
     * Each layer is what a malicious registry or image author can serve: the pull must fail with
     * 125 before anything lands outside the layer's directory, and no image may be recorded.
     */
    @Test
    void hostileLayersAreRefusedAndWriteNothingOutsideTheStore() throws Exception {
        ImageEnv env = env(registry.host());
        Path sentinel = env.sentinel;
        Host.check("sh", "-c", "echo original > '" + sentinel + "/target' && chmod 666 '" + sentinel + "/target'");
        // From layers/.../diff (or tmp/layer-X/diff) four levels up is the directory holding store/ and sentinel/.
        String up = "../../../../sentinel";
        // Refused: the entry would land outside the layer, or be written through a link.
        List<TestLayer> refused = List.of(
                hostile(file("../escape")),
                hostile(file(up + "/dotdot")),
                hostile(file("ok/../../../../../sentinel/dotdot2")),
                hostile(link("abslink", TarConstants.LF_SYMLINK, sentinel.toString()), file("abslink/through-abs")),
                hostile(link("rellink", TarConstants.LF_SYMLINK, up), file("rellink/through-rel")),
                hostile(link("d", TarConstants.LF_SYMLINK, "/"), file("d" + sentinel + "/via-root-link")),
                // Hard links out of the layer, absolute or relative, then content written to the link.
                hostile(link("hard", TarConstants.LF_LINK, sentinel + "/target"), file("hard")),
                hostile(link("hard2", TarConstants.LF_LINK, up + "/target"), file("hard2")),
                // A symlink to the sentinel file, then a hard link to it through the symlink.
                hostile(link("sym", TarConstants.LF_SYMLINK, sentinel + "/target"),
                        link("viasym", TarConstants.LF_LINK, "sym")));
        for (int i = 0; i < refused.size(); i++) {
            ItImages.base(refused.get(i)).push(registry, "library/hostile" + i + ":latest");
            Host.Result r = env.jrun("pull", "hostile" + i);
            String what = "hostile layer " + i + ": " + r.describe();
            assertSentinelIntact(env, what);
            assertEquals(125, r.exit(), what);
            assertTrue(r.err().startsWith("Error: ") || r.err().contains("\nError: "), what);
            assertTrue(r.err().toLowerCase().matches("(?s).*(outside|escape|\\.\\.|link|beneath).*"),
                    "the message should say what is wrong with the entry: " + what);
            assertFalse(env.layerDirs().contains(refused.get(i).diffId().hex()), what);
            assertFalse(env.imagesJson().contains("hostile" + i), what);
        }

        // Accepted, and harmless: an absolute name is relative to the layer root, as in tar(1)
        // (documented in LayerUnpacker); the file must land inside the layer.
        TestLayer absolute = hostile(file(sentinel + "/absolute"));
        ItImages.base(absolute).push(registry, "library/absolute:latest");
        env.ok("pull", "absolute");
        assertSentinelIntact(env, "absolute name");
        assertTrue(Files.isRegularFile(env.layerDiff(absolute).resolve(sentinel.toString().substring(1)).resolve("absolute")));

        // Across layers: a symlink in one layer and a write "through" it in the next. Each layer is
        // unpacked into its own directory, so the upper layer gets a real directory there (which
        // overlayfs shows over the lower symlink); nothing may reach the host's sentinel. The same
        // for a whiteout under a lower layer's symlink: it must not delete the host file.
        TestLayer lowerLink = hostile(link("esc", TarConstants.LF_SYMLINK, sentinel.toString()),
                link("wl", TarConstants.LF_SYMLINK, sentinel.toString()));
        TestLayer through = hostile(file("esc/pwned"));
        TestLayer whiteout = TestLayer.builder().whiteout("wl/target").build();
        ItImages.base(lowerLink, through, whiteout).push(registry, "library/acrosslayers:latest");
        Host.Result across = env.jrun("run", "--rm", "-q", "acrosslayers", "sh", "-c", "cat /esc/pwned; test -L /esc || echo esc-is-a-dir");
        assertSentinelIntact(env, "across layers: " + across.describe());
        assertEquals(0, across.exit(), across.describe());
        assertEquals("pwned\nesc-is-a-dir\n", across.out());
        env.assertNoDebris();
        // Nothing in the whole temp tree outside the store except the sentinel's own file.
        try (Stream<Path> s = Files.walk(env.dir, 1)) {
            assertEquals(List.of("config", "sentinel", "store"),
                    s.filter(p -> !p.equals(env.dir)).map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static void assertSentinelIntact(ImageEnv env, String what) throws Exception {
        env.assertSentinelUntouched(List.of("target"));
        assertEquals("original\n", Files.readString(env.sentinel.resolve("target")), what);
        assertEquals(1, ((Number) Files.getAttribute(env.sentinel.resolve("target"), "unix:nlink")).intValue(), what);
    }

    // ------------------------------------------------------------------ wrong digests

    @Test
    void aBlobTamperedInTheRegistryIsRefused() throws Exception {
        try (TestRegistry own = TestRegistry.start()) {
            TestLayer layer = bigLayer(1, 4);
            ItImages.base(layer).push(own, "library/tampered:latest");
            Path data = own.storage().resolve("docker/registry/v2/blobs/sha256")
                    .resolve(layer.digest().hex().substring(0, 2)).resolve(layer.digest().hex()).resolve("data");
            assertTrue(Files.isRegularFile(data), "registry layout changed: " + data);
            // Same size, different bytes: only the digest can tell.
            try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0xff);
            }
            ImageEnv env = env(own.host());
            Host.Result r = env.jrun("pull", "tampered");
            assertEquals(125, r.exit(), r.describe());
            assertTrue(r.err().contains(layer.digest().hex().substring(0, 12)) || r.err().contains("digest"), r.describe());
            env.assertNoImages();
            assertFalse(env.blobs().contains(layer.digest().hex()), "the tampered blob was stored");
            assertFalse(env.layerDirs().contains(layer.diffId().hex()), "the tampered layer was unpacked");
            env.assertNoDebris();
        }
    }

    @Test
    void aConfigWhoseDiffIdDoesNotMatchTheLayerIsRefused() throws Exception {
        TestLayer layer = ItImages.marker("liar", "I am not what the config says\n");
        TestImages.Image honest = ItImages.base(layer).build();
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(honest.config());
        // The config claims another diffID for the last layer (that of a different tar).
        String fake = ItImages.marker("liar", "something else\n").diffId().toString();
        var diffIds = (com.fasterxml.jackson.databind.node.ArrayNode) config.get("rootfs").get("diff_ids");
        diffIds.set(diffIds.size() - 1, json.getNodeFactory().textNode(fake));
        byte[] configBytes = json.writeValueAsBytes(config);
        ObjectNode manifest = (ObjectNode) json.readTree(honest.manifest());
        ((ObjectNode) manifest.get("config")).put("digest", Digest.sha256(configBytes).toString())
                .put("size", configBytes.length);
        byte[] manifestBytes = json.writeValueAsBytes(manifest);
        RegistryClient client = registry.client();
        RemoteRepository repo = registry.repository("library/liar");
        for (TestLayer l : honest.layers()) client.pushBlob(repo, l.blob());
        client.pushBlob(repo, configBytes);
        client.pushManifest(repo, "latest", honest.mediaType(), manifestBytes);

        ImageEnv env = env(registry.host());
        Host.Result r = env.jrun("pull", "liar");
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains("diffID") || r.err().contains("diff"), r.describe());
        env.assertNoImages();
        assertFalse(env.layerDirs().contains(layer.diffId().hex()));
        assertFalse(env.layerDirs().contains(fake.substring("sha256:".length())));
        env.assertNoDebris();
    }
}
