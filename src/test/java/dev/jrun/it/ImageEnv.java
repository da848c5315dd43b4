package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.it.TestUsers.Range;
import dev.jrun.it.TestUsers.User;
import dev.jrun.testing.TestLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One test's image store and registries.conf: a fresh JRUN_ROOT (created by jrun itself, as the
 * user would) and an XDG_CONFIG_HOME whose registries.conf makes a test registry (plain HTTP on
 * 127.0.0.1) the insecure mirror of docker.io, so {@code jrun alpine} resolves
 * docker.io/library/alpine:latest and fetches it from the test registry. Docker Hub itself is
 * not reachable from CI: the mirror must serve everything. Nothing goes into the users' real
 * home configuration. Close as root: the store holds files of subordinate IDs.
 */
final class ImageEnv implements AutoCloseable {
    final User user;
    final Path dir;
    final Path store;
    final Path config;
    final Path sentinel;

    ImageEnv(User user, String mirrorHost) {
        this.user = user;
        try {
            dir = Files.createTempDirectory("jrun-it-images-");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        store = dir.resolve("store");
        config = dir.resolve("config");
        sentinel = dir.resolve("sentinel");
        // 1777 like /tmp: jrun, as the test user, creates the store (0700) in here itself.
        Host.check("chmod", "1777", dir.toString());
        Host.check("mkdir", "-p", config.resolve("containers").toString(), sentinel.toString());
        Host.check("chmod", "1777", sentinel.toString());
        mirror(mirrorHost);
    }

    /** Points docker.io at {@code host} as its (only reachable) mirror. */
    void mirror(String host) {
        try {
            Files.writeString(config.resolve("containers/registries.conf"), """
                    unqualified-search-registries = ["docker.io"]

                    [[registry]]
                    prefix = "docker.io"
                    location = "docker.io"

                    [[registry.mirror]]
                    location = "%s"
                    insecure = true
                    """.formatted(host));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Host.check("chmod", "-R", "a+rX", config.toString());
    }

    Map<String, String> env() {
        return Map.of("JRUN_ROOT", store.toString(), "XDG_CONFIG_HOME", config.toString());
    }

    Host.Result jrun(String... args) {
        return TestInstall.jrun(user.name(), env(), args);
    }

    /** Runs jrun and fails the test unless it exits 0; returns stdout. */
    String ok(String... args) {
        Host.Result r = jrun(args);
        assertEquals(0, r.exit(), "jrun " + String.join(" ", args) + ": " + r.describe());
        return r.out();
    }

    Process start(String... args) throws IOException {
        return new ProcessBuilder(TestInstall.command(user.name(), env(), args)).directory(TestInstall.dir().toFile())
                .start();
    }

    /** Names of the directories under layers/sha256 (diffID hex), sorted. */
    List<String> layerDirs() {
        return names(store.resolve("layers/sha256"));
    }

    List<String> blobs() {
        return names(store.resolve("blobs/sha256"));
    }

    Path layerDiff(TestLayer layer) {
        return store.resolve("layers/sha256").resolve(layer.diffId().hex()).resolve("diff");
    }

    static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A listing of a tree with types, sizes, modes, owners, link targets and content hashes. */
    static String snapshot(Path dir) {
        return Host.check("sh", "-c", "cd '" + dir + "' && find . -printf '%p %y %s %m %U %G %n %l\\n' | sort"
                + " && find . -type f -exec sha256sum {} + | sort");
    }

    /** `jrun images --format json` names, for asserting that no image was recorded. */
    String imagesJson() {
        return ok("images", "--format", "json");
    }

    void assertNoImages() {
        String json = imagesJson().replaceAll("\\s", "");
        assertEquals("[]", json, "the store lists an image: " + json);
    }

    /** Nothing of a container or a pull in progress survives: containers/ and tmp/ are empty. */
    void assertNoDebris() {
        assertEquals(List.of(), names(store.resolve("containers")), "a container area was left in " + store);
        assertEquals(List.of(), names(store.resolve("tmp")), "temporary files were left in " + store);
    }

    /** The sentinel directory outside the store holds only what the test put there. */
    void assertSentinelUntouched(List<String> expected) {
        assertEquals(expected, names(sentinel), "a hostile layer wrote outside the store");
    }

    @Override
    public void close() {
        Host.run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    // ------------------------------------------------------------------ ID maps

    /** The map podman writes: own ID as 0, then every range stacked by host start. */
    static String podmanMap(long ownId, List<Range> ranges) {
        StringBuilder sb = new StringBuilder(String.format("%10d %10d %10d%n", 0, ownId, 1));
        long next = 1;
        for (Range r : ranges.stream().sorted((a, b) -> Long.compare(a.start(), b.start())).toList()) {
            sb.append(String.format("%10d %10d %10d%n", next, r.start(), r.count()));
            next += r.count();
        }
        return sb.toString();
    }

    /** The host ID of container ID {@code id} under podman's map. */
    static long hostId(long ownId, List<Range> ranges, long id) {
        if (id == 0) return ownId;
        long next = 1;
        for (Range r : ranges.stream().sorted((a, b) -> Long.compare(a.start(), b.start())).toList()) {
            if (id < next + r.count()) return r.start() + (id - next);
            next += r.count();
        }
        fail("container ID " + id + " is not mapped");
        return -1;
    }

    /**
     * The test users' processes that belong to this test run: jrun itself (its command line names
     * the test install), and container processes, whose mount namespace shows the store (the
     * overlay's upper and lower directories) or whose root names it. Not the environment: other
     * programs started by the tests inherit it (podman's pause process, started by an example,
     * carries JRUN=...), and they are not jrun's.
     */
    static List<String> processesOf(List<Path> stores) {
        List<String> markers = new ArrayList<>();
        markers.add(TestInstall.dir().toString());
        stores.forEach(s -> markers.add(s.toString()));
        List<String> found = new ArrayList<>();
        String ps = Host.run(List.of("ps", "-u", "alice,bob", "-o", "pid=")).out();
        for (String line : ps.split("\n")) {
            if (line.isBlank()) continue;
            Path proc = Path.of("/proc", line.strip());
            StringBuilder seen = new StringBuilder();
            for (String f : List.of("cmdline", "mountinfo")) {
                try {
                    seen.append(new String(Files.readAllBytes(proc.resolve(f)), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ')).append('\n');
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
            try {
                seen.append(Files.readSymbolicLink(proc.resolve("root")));
            } catch (IOException | RuntimeException gone) {
                // ended, or not readable
            }
            String text = seen.toString();
            if (markers.stream().anyMatch(text::contains)) {
                String cmd = text.isEmpty() ? "" : text.substring(0, Math.min(200, text.indexOf('\n') < 0 ? text.length()
                        : text.indexOf('\n')));
                found.add(line.strip() + " " + cmd);
            }
        }
        return found;
    }

    /** After each test: no process of this test and no mount of its stores left on the host. */
    static void assertNothingLeftBehind(List<Path> stores) throws Exception {
        List<String> left = processesOf(stores);
        for (int i = 0; i < 30 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = processesOf(stores);
        }
        assertTrue(left.isEmpty(), "processes of this test are still running: " + left);
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        for (Path store : stores) {
            assertTrue(!mounts.contains(store.toString()), "a container mount leaked to the host: " + mounts);
        }
    }

    static List<String> list(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
