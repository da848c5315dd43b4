package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.testing.TarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jrun load}, {@code save} and {@code import} as alice with private stores, against
 * podman (rootless, runc, its own vfs store in a temporary directory, so the user's podman
 * images are neither used nor changed).
 */
class ImageArchiveIT {
    static Path work;
    /** podman refuses a runroot longer than 50 characters. */
    static Path podmanRun;
    static Path busyboxTar;
    static String expectedGroup;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        TestUsers.alice();
        TestInstall.dir();
        Path rootfs = TestInstall.rootfs();
        expectedGroup = Files.readString(rootfs.resolve("etc/group"));
        work = Files.createTempDirectory("jrun-it-archive-");
        Host.check("chown", "alice:", work.toString());
        Host.check("chmod", "0755", work.toString());
        podmanRun = Files.createTempDirectory("jrp");
        Host.check("chown", "alice:", podmanRun.toString());
        busyboxTar = work.resolve("busybox.tar");
        Host.check("tar", "-C", rootfs.toString(), "--numeric-owner", "--owner=0", "--group=0", "-cf",
                busyboxTar.toString(), ".");
        Host.check("chmod", "0644", busyboxTar.toString());
    }

    @AfterAll
    static void cleanUp() {
        // Rootless podman leaves a pause process holding its user namespace: stop it, as
        // .ci/provision-debian does, so the suite leaves nothing running.
        if (work != null && podmanRun != null) podman("system", "migrate");
        if (work != null) Host.run(List.of("rm", "-rf", work.toString()));
        if (podmanRun != null) Host.run(List.of("rm", "-rf", podmanRun.toString()));
    }

    /** A fresh private store for alice. */
    private static Map<String, String> store(String name) {
        return Map.of("JRUN_ROOT", work.resolve("stores").resolve(name).toString());
    }

    private static Host.Result jrun(Map<String, String> env, String... args) {
        return TestInstall.jrun("alice", env, args);
    }

    private static String ok(Host.Result r, String what) {
        if (r.exit() != 0) fail(what + " failed: " + r.describe());
        return r.out();
    }

    private static Host.Result podman(String... args) {
        Host.require(Host.run(List.of("sh", "-c", "command -v podman && test -x /usr/sbin/runc")).exit() == 0,
                "podman and runc are needed to compare with podman (.ci/provision-debian installs them)");
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "alice", "--", "podman",
                "--root", work.resolve("podman/root").toString(), "--runroot", podmanRun.toString(),
                "--storage-driver", "vfs", "--runtime", "/usr/sbin/runc"));
        cmd.addAll(List.of(args));
        return Host.run(cmd, work.toFile(), 300);
    }

    private static void assertRunsBusybox(Map<String, String> env, String image) {
        Host.Result r = jrun(env, "run", "--rm", "--pull=never", "--network", "none", image, "/bin/cat", "/etc/group");
        assertEquals(0, r.exit(), r.describe());
        assertEquals(expectedGroup, r.out());
        Host.Result id = jrun(env, "run", "--rm", "--pull=never", image, "/bin/sh", "-c", "id -u; ls /bin/busybox");
        assertEquals("0\n/bin/busybox\n", id.out(), id.describe());
    }

    @Test
    void importedBusyboxRuns() {
        Map<String, String> env = store("import");
        String out = ok(jrun(env, "import", "--change", "CMD=/bin/sh", busyboxTar.toString(), "bb"), "jrun import");
        assertTrue(out.matches("sha256:[0-9a-f]{64}\n"), out);
        assertRunsBusybox(env, "localhost/bb:latest");
        assertRunsBusybox(env, "bb");
        assertTrue(ok(jrun(env, "images"), "jrun images").contains("localhost/bb"));
    }

    @Test
    void saveThenLoadRoundTripsInEveryFormat() {
        Map<String, String> env = store("roundtrip");
        ok(jrun(env, "import", busyboxTar.toString(), "round"), "jrun import");
        for (String format : List.of("docker-archive", "oci-archive", "oci-dir")) {
            Path out = work.resolve("round." + format);
            ok(jrun(env, "save", "--format", format, "-o", out.toString(), "round"), "jrun save --format " + format);
            Map<String, String> other = store("roundtrip-" + format);
            String loaded = ok(jrun(other, "load", "-i", out.toString()), "jrun load " + format);
            assertEquals("Loaded image: localhost/round:latest\n", loaded, format);
            assertRunsBusybox(other, "localhost/round:latest");
        }
    }

    private static String shell(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String part : command) {
            sb.append(sb.length() == 0 ? "" : " ").append('\'').append(part.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    @Test
    void saveToStandardOutputAndLoadGzipFromStandardInput() {
        Map<String, String> env = store("pipes");
        ok(jrun(env, "import", busyboxTar.toString(), "piped"), "jrun import");
        Path gz = work.resolve("piped.tar.gz");
        Host.Result saved = Host.run(List.of("sh", "-c", shell(TestInstall.command("alice", env, "save", "piped"))
                + " | gzip > " + gz), work.toFile(), 300);
        assertEquals(0, saved.exit(), saved.describe());
        Map<String, String> other = store("pipes-2");
        Host.Result loaded = Host.run(List.of("sh", "-c", shell(TestInstall.command("alice", other, "load")) + " < " + gz),
                work.toFile(), 300);
        assertEquals(0, loaded.exit(), loaded.describe());
        assertEquals("Loaded image: localhost/piped:latest\n", loaded.out());
        assertRunsBusybox(other, "piped");
    }

    @Test
    void podmanSaveLoadsIntoJrun() {
        Host.Result imported = podman("import", "--quiet", busyboxTar.toString(), "localhost/frompodman:1");
        assertEquals(0, imported.exit(), imported.describe());
        for (String format : List.of("docker-archive", "oci-archive")) {
            Path out = work.resolve("podman." + format);
            Host.Result saved = podman("save", "--format", format, "-o", out.toString(), "localhost/frompodman:1");
            assertEquals(0, saved.exit(), saved.describe());
            Map<String, String> env = store("from-podman-" + format);
            assertEquals("Loaded image: localhost/frompodman:1\n", ok(jrun(env, "load", "-i", out.toString()),
                    "jrun load of podman's " + format));
            assertRunsBusybox(env, "localhost/frompodman:1");
        }
    }

    @Test
    void jrunSaveLoadsIntoPodman() {
        Map<String, String> env = store("to-podman");
        ok(jrun(env, "import", busyboxTar.toString(), "tojrun"), "jrun import");
        for (String format : List.of("docker-archive", "oci-archive")) {
            Path out = work.resolve("jrun." + format);
            ok(jrun(env, "save", "--format", format, "-o", out.toString(), "localhost/tojrun:latest"), "jrun save");
            Host.Result loaded = podman("load", "-i", out.toString());
            assertEquals(0, loaded.exit(), format + ": " + loaded.describe());
            assertTrue(loaded.out().contains("Loaded image: localhost/tojrun:latest"), loaded.describe());
            Host.Result run = podman("run", "--rm", "--network=none", "localhost/tojrun:latest", "cat", "/etc/group");
            assertEquals(0, run.exit(), run.describe());
            assertEquals(expectedGroup, run.out());
            podman("rmi", "-f", "localhost/tojrun:latest");
        }
    }

    @Test
    void hostileArchivesAreRefusedAndLeaveNothing() throws Exception {
        Map<String, String> env = store("hostile");
        Path secret = work.resolve("secret");
        Files.writeString(secret, "not for images\n");
        byte[] config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":\"linux\"}".getBytes();
        Map<String, byte[]> archives = Map.of(
                "traversal.tar", new TarBuilder().file("../../escape", "x").build(),
                "absolute.tar", new TarBuilder().file(work.resolve("escape").toString(), "x").build(),
                "manifest-out.tar", new TarBuilder().file("c.json", config, 0644, e -> { })
                        .file("manifest.json", "[{\"Config\":\"../../../.." + secret + "\",\"RepoTags\":[\"x:1\"],"
                                + "\"Layers\":[]}]").build(),
                "symlink-out.tar", new TarBuilder().symlink("c.json", secret.toString())
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[]}]").build(),
                "bad-layer.tar", new TarBuilder().file("c.json",
                                ("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "0".repeat(64) + "\"]}}").getBytes(),
                                0644, e -> { })
                        .file("l.tar", new TarBuilder().file("etc/x", "y").build(), 0644, e -> { })
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l.tar\"]}]")
                        .build());
        for (var entry : archives.entrySet()) {
            Path file = work.resolve(entry.getKey());
            Files.write(file, entry.getValue());
            Host.check("chmod", "0644", file.toString());
            Host.Result r = jrun(env, "load", "-i", file.toString());
            assertEquals(125, r.exit(), entry.getKey() + ": " + r.describe());
            assertTrue(r.err().startsWith("Error: "), r.describe());
            assertFalse(Files.exists(work.resolve("escape")), entry.getKey());
            assertFalse(Files.exists(work.getParent().resolve("escape")), entry.getKey());
        }
        assertEquals("", ok(jrun(env, "images", "-q"), "jrun images").strip(), "nothing recorded");
        Path tmp = work.resolve("stores/hostile/tmp");
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList(), "nothing left in the store's tmp/");
        }

        // import of a tarball that climbs out
        Path evil = work.resolve("evil-rootfs.tar");
        Files.write(evil, new TarBuilder().file("../../escape", "x").build());
        Host.check("chmod", "0644", evil.toString());
        Host.Result r = jrun(env, "import", evil.toString(), "evil");
        assertEquals(125, r.exit(), r.describe());
        assertFalse(Files.exists(work.resolve("escape")));

        // a save that cannot complete leaves nothing: output into a directory alice cannot write
        ok(jrun(env, "import", busyboxTar.toString(), "fine"), "jrun import");
        Path locked = work.resolve("locked");
        Files.createDirectory(locked);
        Host.Result denied = jrun(env, "save", "-o", locked.resolve("out.tar").toString(), "fine");
        assertEquals(125, denied.exit(), denied.describe());
        try (var s = Files.list(locked)) {
            assertEquals(List.of(), s.toList());
        }
    }
}
