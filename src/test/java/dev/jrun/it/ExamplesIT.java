package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.it.TestUsers.Range;
import dev.jrun.it.TestUsers.User;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every script under examples/ (the article's experiments) as the users it is meant for,
 * against an image in a real registry on 127.0.0.1 that a registries.conf mirror stands in for
 * Docker Hub with, and checks the lines that matter: the maps, the owners, the ps lines.
 */
class ExamplesIT {
    /** The examples this test runs; {@link #everyExampleIsTested()} keeps it complete. */
    private static final Set<String> TESTED = Set.of("01-rootless-map", "02-root-map", "03-userns-remap",
            "04-ps-from-host", "05-split-ranges", "06-overflow-uid", "07-bind-mount-owners", "08-image-store");

    private static final String IMAGE = "docker.io/library/alpine:latest";

    static TestRegistry registry;
    static Path work;
    static Path examples;
    static User alice;
    static User bob;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        alice = TestUsers.alice();
        bob = TestUsers.bob();
        Path install = TestInstall.dir();
        Path checkout = Path.of(System.getenv().getOrDefault("JRUN_HOME", System.getProperty("user.dir")));
        // The checkout may be closed to other users: the examples go beside the test install.
        Host.check("cp", "-r", checkout.resolve("examples").toString(), install.toString());
        Host.check("chmod", "-R", "a+rX", install.resolve("examples").toString());
        examples = install.resolve("examples");

        registry = TestRegistry.start();
        image().push(registry, "library/alpine:latest");

        work = Files.createTempDirectory("jrun-examples-it-");
        Path containers = work.resolve("config/containers");
        Files.createDirectories(containers);
        Files.writeString(containers.resolve("registries.conf"), "unqualified-search-registries = [\"docker.io\"]\n"
                + "[[registry]]\nlocation = \"docker.io\"\n"
                + "[[registry.mirror]]\nlocation = \"" + registry.host() + "\"\ninsecure = true\n");
        Host.check("chmod", "-R", "a+rX", work.toString());
        for (String user : List.of("root", "alice", "bob")) {
            Host.check("install", "-d", "-o", user, "-g", user, "-m", "0700", store(user).toString());
        }
    }

    @AfterAll
    static void tearDown() {
        if (registry != null) registry.close();
        // Example 01 compares with podman, whose rootless pause process would outlive the suite.
        for (String user : List.of("alice", "bob", "vagrant")) {
            if (Host.run(List.of("id", "-u", user)).exit() == 0 && Host.run(List.of("sh", "-c", "command -v podman")).exit() == 0) {
                Host.run(List.of("runuser", "-u", user, "--", "podman", "system", "migrate"), Path.of("/tmp").toFile(), 60);
            }
        }
        // Root may delete what the users' containers left, whatever UIDs own it.
        if (work != null) Host.run(List.of("rm", "-rf", work.toString()));
    }

    /**
     * Nothing an example started may outlive it: no jrun of this test's install, no script,
     * no container sleep it printed. (The machine may be shared: other processes of alice and
     * bob, such as podman's pause process, are not this test's.)
     */
    @AfterEach
    void nothingLeftBehind() throws Exception {
        List<String> left = ours();
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = ours();
        }
        assertTrue(left.isEmpty(), "an example left processes behind: " + left);
    }

    private static List<String> ours() {
        Host.Result ps = Host.run(List.of("ps", "-e", "-o", "pid=,user=,args="));
        String install = TestInstall.dir().toString();
        return Stream.of(ps.out().split("\n")).filter(l -> l.contains(install) || l.contains(work.toString())
                || SLEEPS.stream().anyMatch(n -> l.endsWith(" sleep " + n))).toList();
    }

    /** The "sleep N" commands the examples printed, to be gone when they end. */
    private static final Set<String> SLEEPS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** busybox with every applet, and files owned as in alpine: root's, shadow's (GID 42), a user's. */
    private static TestImages.ImageBuilder image() {
        Path busybox = Path.of("/bin/busybox");
        Host.require(Files.isExecutable(busybox) && Host.run(List.of("/bin/busybox", "--list")).exit() == 0,
                "busybox is missing: apt-get install busybox-static (.ci/provision-debian installs it)");
        byte[] binary;
        try {
            binary = Files.readAllBytes(busybox);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        TestLayer.Builder layer = TestLayer.builder().dir("bin").file("bin/busybox", binary, 0755, 0, 0);
        for (String applet : Host.check("/bin/busybox", "--list").split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) layer.symlink("bin/" + applet.strip(), "busybox");
        }
        layer.dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                        + "nobody:x:65534:65534:nobody:/:/sbin/nologin\n")
                .file("etc/group", "root:x:0:root\nshadow:x:42:\nnobody:x:65534:\n")
                .file("etc/shadow", "root:*::0:::::\n".getBytes(), 0640, 0, 42)
                .dir("home").dir("home/user", 0755, 1000, 1000)
                .dir("root", 0700, 0, 0).dir("tmp", 01777, 0, 0).dir("proc").dir("sys").dir("dev");
        return TestImages.builder().layer(layer.build()).env("PATH=/usr/sbin:/usr/bin:/sbin:/bin").cmd("/bin/sh");
    }

    private static Path store(String user) {
        return work.resolve("store-" + user);
    }

    /** Runs examples/NAME ARGS as {@code user}, with the test's jrun, store, registries.conf and image. */
    private static Host.Result example(String user, String name, String... args) {
        List<String> cmd = new ArrayList<>();
        if (!user.equals("root")) cmd.addAll(List.of("runuser", "-u", user, "--"));
        String home = user.equals("root") ? "/root" : "/home/" + user;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", home);
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("LANG", "C.UTF-8");
        env.put("JAVA_HOME", TestInstall.javaHome());
        env.put("JRUN", TestInstall.dir().resolve("jrun").toString());
        env.put("JRUN_ROOT", store(user).toString());
        env.put("XDG_CONFIG_HOME", work.resolve("config").toString());
        env.put("JRUN_EXAMPLE_IMAGE", IMAGE);
        cmd.addAll(List.of("env", "-i"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(examples.resolve(name).toString());
        cmd.addAll(List.of(args));
        return remember(Host.run(cmd, TestInstall.dir().toFile(), 600));
    }

    private static Host.Result remember(Host.Result r) {
        System.out.println(r.out());   // what the example showed, for the build log
        java.util.regex.Matcher m = Pattern.compile("(?m)^\\s+\\S+\\s+\\d+ sleep (\\d+)\\s+\\|").matcher(r.out());
        while (m.find()) SLEEPS.add(m.group(1));
        return r;
    }

    private static Host.Result agrees(String user, String name, String... args) {
        Host.Result r = example(user, name, args);
        assertEquals(0, r.exit(), name + " as " + user + ": " + r.describe());
        assertTrue(r.out().contains(name + ": all checks agree"), r.describe());
        assertTrue(!r.out().contains("DIFFERS"), r.describe());
        return r;
    }

    private static void has(Host.Result r, String text) {
        assertTrue(r.out().contains(text), "expected '" + text + "' in:\n" + r.describe());
    }

    /** A line of the jrun column (left of " | ") that is exactly {@code text}, trimmed. */
    private static void hasLeft(Host.Result r, String text) {
        boolean found = Stream.of(r.out().split("\n"))
                .map(l -> l.contains(" | ") ? l.substring(0, l.indexOf(" | ")) : l)
                .anyMatch(l -> l.strip().equals(text.strip()));
        assertTrue(found, "expected a jrun line '" + text + "' in:\n" + r.describe());
    }

    private static void hasLine(Host.Result r, String regex) {
        Pattern p = Pattern.compile(regex);
        assertTrue(Stream.of(r.out().split("\n")).anyMatch(l -> p.matcher(l).find()),
                "expected a line matching /" + regex + "/ in:\n" + r.describe());
    }

    private static String mapLine(long inside, long outside, long count) {
        return String.format("%10d %10d %10d", inside, outside, count);
    }

    private static long base(List<Range> ranges) {
        return ranges.stream().mapToLong(Range::start).min().orElseThrow();
    }

    private static void refuses(String user, String name, String why) {
        Host.Result r = example(user, name);
        assertEquals(2, r.exit(), name + " as " + user + ": " + r.describe());
        assertTrue(r.err().contains(why), r.describe());
    }

    @Test
    void everyExampleIsTested() throws IOException {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.list(examples)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d\\d-.*")).forEach(found::add);
        }
        assertEquals(new TreeSet<>(TESTED), found);
    }

    @Test
    void examplesAreShellcheckClean() {
        Host.require(Files.isExecutable(Path.of("/usr/bin/shellcheck")),
                "shellcheck is missing: apt-get install shellcheck (.ci/provision-debian installs it)");
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x"));
        TESTED.forEach(n -> cmd.add(n));
        cmd.addAll(List.of("lib/common.sh", "busybox-rootfs"));
        Host.Result r = Host.run(cmd, examples.toFile(), 120);
        assertEquals(0, r.exit(), r.describe());
    }

    @Test
    void rootlessMapIsSubuidsAndPodmans() {
        Host.Result r = agrees("alice", "01-rootless-map");
        Range range = alice.subuid().get(0);
        hasLeft(r, mapLine(0, alice.uid(), 1));
        hasLeft(r, mapLine(1, range.start(), range.count()));
        has(r, "OK: uid_map is 0 -> " + alice.uid() + ", then /etc/subuid's ranges from 1");
        has(r, "OK: gid_map is 0 -> " + alice.gid() + ", then /etc/subgid's ranges from 1");
        // The provisioning imports localhost/busybox for alice: the comparison must happen.
        Host.require(!r.err().contains("no comparison with podman"),
                "podman or its image localhost/busybox:latest is missing for alice (run .ci/provision-debian): "
                        + r.err());
        has(r, "OK: uid_map is podman's for alice");
        has(r, "OK: gid_map is podman's for alice");

        Host.Result split = agrees("bob", "01-rootless-map");
        hasLeft(split, mapLine(393, 297000, 5001));
        refuses("root", "01-rootless-map", "run this as an ordinary user");
    }

    @Test
    void rootGetsTheIdentityMap() {
        Host.Result r = agrees("root", "02-root-map");
        hasLine(r, "^\\s+" + mapLine(0, 0, 4294967295L).strip() + "\\s+\\|");
        has(r, "OK: uid_map is the identity map");
        has(r, "OK: gid_map is the identity map");
        refuses("alice", "02-root-map", "this example needs root");
    }

    @Test
    void usernsRemapGivesDockersMap() {
        Range uid = alice.subuid().get(0);
        Range gid = alice.subgid().get(0);
        Host.Result r = agrees("root", "03-userns-remap", "alice");
        hasLeft(r, mapLine(0, uid.start(), uid.count()));
        hasLeft(r, mapLine(0, gid.start(), gid.count()));
        has(r, "OK: uid_map is 0 -> alice's first subordinate UID range");
        has(r, "OK: gid_map is 0 -> alice's first subordinate GID range");
        hasLine(r, "^\\s+" + uid.start() + "\\s+" + uid.start() + " sleep \\d+\\s+\\|");
        has(r, "OK: the container's root runs as host UID " + uid.start());
        refuses("alice", "03-userns-remap", "this example needs root");
    }

    @Test
    void containerProcessesAreTheCallerAndItsFirstSubordinateUid() {
        Host.Result r = agrees("alice", "04-ps-from-host");
        long base = base(alice.subuid());
        hasLine(r, "^\\s+alice\\s+" + alice.uid() + " sleep \\d+\\s+\\|");
        hasLine(r, "^\\s+" + base + "\\s+" + base + " sleep \\d+\\s+\\|");
        has(r, "OK: container root runs as you (alice, " + alice.uid() + ") on the host");
        has(r, "OK: container UID 1 runs as your first subordinate UID (" + base + ") on the host");
    }

    @Test
    void bobsSplitRangesAreStacked() {
        for (String user : List.of("bob", "root")) {
            // Run as root, the example runs itself again as bob (with root's environment: bob's store).
            Host.Result r = user.equals("root") ? agreesAsRootForBob() : agrees("bob", "05-split-ranges");
            // The file's order is information (any later useradd sorts it by start): the map
            // below is the same either way, which is what the example shows.
            has(r, "the article's ranges, in ");
            hasLeft(r, mapLine(0, bob.uid(), 1));
            hasLeft(r, mapLine(1, 296608, 392));
            hasLeft(r, mapLine(393, 297000, 5001));
            hasLeft(r, mapLine(5394, 302001, 60143));
            has(r, "OK: uid_map is the one the article's ranges give");
            hasLeft(r, "5394 -> 302001");
            hasLeft(r, "65536 -> 362143");
            has(r, "OK: each container UID is owned on the host by the UID the map gives");
        }
        refuses("alice", "05-split-ranges", "run this as bob");
    }

    private static Host.Result agreesAsRootForBob() {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=/root", "LANG=C.UTF-8", "JAVA_HOME=" + TestInstall.javaHome(),
                "JRUN=" + TestInstall.dir().resolve("jrun"), "JRUN_ROOT=" + store("bob"),
                "XDG_CONFIG_HOME=" + work.resolve("config"), "JRUN_EXAMPLE_IMAGE=" + IMAGE,
                examples.resolve("05-split-ranges").toString()));
        Host.Result r = remember(Host.run(cmd, TestInstall.dir().toFile(), 600));
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().startsWith("(running as bob: runuser -u bob -- "), r.describe());
        assertTrue(r.out().contains("05-split-ranges: all checks agree"), r.describe());
        return r;
    }

    @Test
    void filesOutsideTheMapShowAsTheOverflowUid() {
        Host.Result r = agrees("alice", "06-overflow-uid");
        String overflow = Host.check("cat", "/proc/sys/kernel/overflowuid").strip();
        hasLeft(r, overflow);
        has(r, "OK: a file of host root's shows as the overflow UID and GID");
        has(r, "OK: your own file shows as container root's");
        hasLine(r, "^\\s+-\\S+\\s+1 nobody\\s+nobody\\s+\\d+ .* /host-etc/passwd$");
    }

    @Test
    void filesInABindMountBelongToTheCallerAndToBasePlus999() {
        for (User user : List.of(alice, bob)) {
            Host.Result r = agrees(user.name(), "07-bind-mount-owners");
            long uid1000 = base(user.subuid()) + 999;   // both have their IDs 1..1000 in a row
            hasLeft(r, user.uid() + " " + user.gid());
            hasLeft(r, uid1000 + " " + user.gid());
            hasLine(r, "^\\s+-\\S+\\s+1\\s+" + uid1000 + "\\s+" + user.gid() + "\\s+.* by-uid-1000$");
            has(r, "OK: a file container root created belongs to you");
            has(r, "OK: a file container UID 1000 created belongs to host UID " + uid1000);
        }
    }

    @Test
    void theStoreIsPerUserAndItsFilesAreOwnedThroughTheMap() {
        Host.Result r = agrees("alice", "08-image-store");
        long base = base(alice.subuid());
        long gidBase = base(alice.subgid());
        hasLeft(r, store("alice").toString());
        has(r, "OK: the store is yours");
        hasLine(r, "^\\s+docker\\.io/library/alpine\\s+latest\\s+");
        // The image's home/user (1000:1000) and etc/shadow (root:42), unpacked through the map.
        hasLine(r, "^\\s+" + (base + 999) + " " + (gidBase + 999) + " home/user$");
        hasLine(r, "^\\s+" + alice.uid() + " " + (gidBase + 41) + " etc/shadow$");
        hasLine(r, "\\|\\s+1000 1000 /home/user$");
        hasLine(r, "\\|\\s+0 42 /etc/shadow$");
        has(r, "OK: every file's owner inside is its host owner through your map");
    }
}
