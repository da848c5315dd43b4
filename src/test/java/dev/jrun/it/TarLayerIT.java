package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.it.TestUsers.User;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Layers as RHEL-family images ship them, pulled from a real registry and run by an
 * unprivileged user (issue 7): Fedora, RHEL, CentOS, Rocky and UBI have /etc/shadow and
 * /etc/gshadow of mode 0000 owned by root.
 */
class TarLayerIT {
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
                if (Files.isDirectory(env.store)) env.assertNoDebris();
            }
        } finally {
            envs.forEach(ImageEnv::close);
        }
    }

    @Test
    void aFedoraLikeImageWithShadowOfMode0000RunsAndRootInsideReadsIt() throws Exception {
        byte[] shadow = "root:!locked::0:99999:7:::\n".getBytes(StandardCharsets.UTF_8);
        TestLayer fedora = TestLayer.builder()
                .dir("etc", 0755, 0, 0)
                .file("etc/shadow", shadow, 0000, 0, 0)
                .file("etc/gshadow", "root:::\n".getBytes(StandardCharsets.UTF_8), 0000, 0, 0)
                .file("etc/write-only", "w\n".getBytes(StandardCharsets.UTF_8), 0200, 0, 0)
                .dir("locked", 0000, 0, 0)
                .file("locked/inside", "in 000\n".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
                .dir("wx", 0300, 0, 0)
                .file("wx/inside", "in 300\n".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
                .build();
        ItImages.base(fedora).push(registry, "library/fedoralike:latest");
        ImageEnv env = new ImageEnv(alice, registry.host());
        envs.add(env);

        String out = env.ok("run", "--rm", "-q", "fedoralike", "sh", "-c",
                "stat -c '%n %a %u' /etc/shadow /etc/gshadow /etc/write-only /locked /wx"
                        + " && cat /etc/shadow /etc/gshadow /locked/inside /wx/inside");
        assertEquals("""
                /etc/shadow 0 0
                /etc/gshadow 0 0
                /etc/write-only 200 0
                /locked 0 0
                /wx 300 0
                root:!locked::0:99999:7:::
                root:::
                in 000
                in 300
                """, out);
        // The modes still hold for anyone but root inside.
        Host.Result user = env.jrun("run", "--rm", "-q", "-u", "1000", "fedoralike", "cat", "/etc/shadow");
        assertNotEquals(0, user.exit(), user.describe());
        assertTrue(user.err().contains("Permission denied"), user.describe());
    }

    @Test
    void brokenTarballsAreRefusedWithOneErrorLineAndTheStoreIsLeftAsItWas() throws Exception {
        ImageEnv env = new ImageEnv(alice, registry.host());
        envs.add(env);
        env.ok("images"); // creates the store
        String before = withoutLocks(ImageEnv.snapshot(env.store));

        byte[] good = dev.jrun.testing.TarBuilder.gzip(new dev.jrun.testing.TarBuilder().file("first", "1234")
                .file("second", "5678").build());
        byte[] plain = new dev.jrun.testing.TarBuilder().file("first", "1234").file("second", "5678").build();
        byte[] garbage = java.util.Arrays.copyOf(plain, plain.length);
        java.util.Arrays.fill(garbage, 1024, 1536, (byte) 'x'); // where the second header is due
        byte[] truncated = java.util.Arrays.copyOf(plain, 1024 + 100);
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        List<String[]> cases = List.of(
                new String[] {"garbage.tar", "at byte 1024"},
                new String[] {"truncated.tar", "truncated"},
                new String[] {"zstd.tar", "zstd"},
                new String[] {"gzip-cut.tar.gz", "ends early"});
        java.util.Map<String, byte[]> content = java.util.Map.of("garbage.tar", garbage, "truncated.tar", truncated,
                "zstd.tar", zstd, "gzip-cut.tar.gz", java.util.Arrays.copyOf(good, good.length - 20));
        for (String[] c : cases) {
            java.nio.file.Path file = env.dir.resolve(c[0]);
            Files.write(file, content.get(c[0]));
            Host.check("chmod", "a+r", file.toString());
            Host.Result r = env.jrun("import", file.toString(), "broken");
            assertEquals(125, r.exit(), c[0] + ": " + r.describe());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), c[0] + ": one line: " + r.describe());
            assertTrue(lines.get(0).startsWith("Error: ") && lines.get(0).contains(c[1]), c[0] + ": " + r.describe());
            assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), c[0] + ": " + r.describe());
            assertEquals(before, withoutLocks(ImageEnv.snapshot(env.store)), c[0] + ": the store is left as it was");
        }
    }

    /** The first command that takes a lease creates gc.lock: not content. */
    private static String withoutLocks(String snapshot) {
        return String.join("\n", snapshot.lines().filter(l -> !l.contains(".lock")).toList());
    }
}
