package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-container copy (--storage-driver vfs, and what jrun falls back to before Linux 5.11)
 * against the overlay: the same files, owners and isolation.
 */
class StorageDriverIT {
    static TestRegistry registry;
    static Path work;
    static Map<String, String> env;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        TestUsers.alice();
        registry = TestRegistry.start();
        TestImages.builder().layer(TestLayer.busybox())
                .layer(TestLayer.builder().dir("data", 0755, 42, 42).file("data/owned", "by 42\n".getBytes(), 0640, 42, 42)
                        .file("bin/setuid-tool", "x".getBytes(), 04755, 0, 0).build())
                .push(registry, "library/vfs-test:latest");
        work = Files.createTempDirectory("jrun-it-vfs-");
        Host.check("chmod", "755", work.toString());
        Path config = Files.createDirectories(work.resolve("config/containers"));
        Files.writeString(config.resolve("registries.conf"), "unqualified-search-registries = [\"docker.io\"]\n"
                + "[[registry]]\nprefix = \"docker.io\"\nlocation = \"docker.io\"\n"
                + "[[registry.mirror]]\nlocation = \"" + registry.host() + "\"\ninsecure = true\n");
        Files.createDirectories(work.resolve("store"));
        Host.check("chown", "-R", "alice:", work.resolve("config").toString(), work.resolve("store").toString());
        env = Map.of("JRUN_ROOT", work.resolve("store").toString(), "XDG_CONFIG_HOME", work.resolve("config").toString());
    }

    @AfterAll
    static void tearDown() {
        if (registry != null) registry.close();
        if (work != null) Host.run(List.of("rm", "-rf", work.toString()));
    }

    @Test
    void bothDriversShowTheImagesOwnersAndKeepContainersApart() throws Exception {
        for (String driver : List.of("overlay", "vfs")) {
            Host.Result r = TestInstall.jrun("alice", env, "--storage-driver", driver, "run", "--rm", "-q", "vfs-test", "sh", "-c",
                    "stat -c '%u:%g %a' /data/owned /bin/setuid-tool; echo changed > /data/owned; rm /bin/setuid-tool; "
                            + "cat /data/owned");
            assertEquals(0, r.exit(), driver + ": " + r.describe());
            assertEquals("42:42 640\n0:0 4755\nchanged\n", r.out(), driver);
            Host.Result again = TestInstall.jrun("alice", env, "--storage-driver", driver, "run", "--rm", "-q", "vfs-test",
                    "cat", "/data/owned");
            assertEquals("by 42\n", again.out(), driver + ": a container's changes must not reach the image: "
                    + again.describe());
            try (var left = Files.list(work.resolve("store/containers"))) {
                assertEquals(List.of(), left.toList(), driver + ": the container's private files are removed");
            }
        }
        Host.Result bad = TestInstall.jrun("alice", env, "--storage-driver", "zfs", "run", "--rm", "vfs-test", "true");
        assertEquals(125, bad.exit());
        assertTrue(bad.err().contains("--storage-driver zfs: jrun knows overlay and vfs"), bad.describe());
    }
}
