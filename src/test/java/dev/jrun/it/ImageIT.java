package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.it.TestUsers.User;
import dev.jrun.oci.Platform;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `jrun IMAGE ...` for real, as the unprivileged test users: images built and pushed by the
 * test into a real docker-registry on 127.0.0.1, found through a registries.conf mirror of
 * docker.io, pulled into a per-test store, run on an overlay.
 */
class ImageIT {
    static User alice;
    static User bob;
    static TestRegistry registry;
    private final List<ImageEnv> envs = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        bob = TestUsers.bob();
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

    private ImageEnv env(User user) {
        ImageEnv env = new ImageEnv(user, registry.host());
        envs.add(env);
        return env;
    }

    @Test
    void alpineThroughTheMirrorPrintsPodmansMapForAliceAndBob() throws Exception {
        ItImages.base().push(registry, "library/alpine:latest");
        ImageEnv a = env(alice);
        Host.Result r = a.jrun("alpine", "cat", "/proc/self/uid_map", "/proc/self/gid_map");
        assertEquals(0, r.exit(), r.describe());
        assertEquals(ImageEnv.podmanMap(alice.uid(), alice.subuid()) + ImageEnv.podmanMap(alice.gid(), alice.subgid()),
                r.out());
        // The pull was reported on stderr (not a terminal: plain lines) and the image is stored by its full name.
        assertTrue(a.imagesJson().contains("docker.io/library/alpine:latest"), a.imagesJson());
        // Without --rm the container stays, exited, until rm (as podman's).
        assertTrue(a.ok("ps", "-a").contains("Exited (0)"), a.ok("ps", "-a"));
        a.ok("rm", "-a");

        ImageEnv b = env(bob);
        Host.Result rb = b.jrun("run", "--rm", "alpine", "cat", "/proc/self/uid_map");
        assertEquals(0, rb.exit(), rb.describe());
        assertEquals(ImageEnv.podmanMap(bob.uid(), bob.subuid()), rb.out());
        assertEquals(String.format("%10d %10d %10d%n", 0, bob.uid(), 1)
                + "         1     296608        392\n"
                + "       393     297000       5001\n"
                + "      5394     302001      60143\n", rb.out());
    }

    @Test
    void imageOwnersAreKeptInsideAndMappedOnTheHost() throws Exception {
        byte[] data = "data\n".getBytes(StandardCharsets.UTF_8);
        TestLayer owned = TestLayer.builder()
                .dir("own", 0755, 0, 0)
                .file("own/root", data, 0644, 0, 0)
                .file("own/g42", data, 0640, 0, 42)
                .file("own/u42", data, 0600, 42, 42)
                .file("own/u1000", data, 0644, 1000, 1000)
                .file("own/nobody", data, 0644, 65534, 65534)
                .file("own/suid", data, 04755, 0, 0)
                .file("own/sgid", data, 02755, 1000, 42)
                .dir("own/dir1000", 0750, 1000, 1000)
                .symlink("own/link", "u1000", 1000, 42)
                .symlink("own/abs", "/own/root")
                .hardlink("own/hard", "own/u1000")
                .build();
        ItImages.base(owned).push(registry, "library/owners:latest");
        ImageEnv env = env(alice);
        String out = env.ok("run", "--rm", "-q", "owners", "sh", "-c",
                "cd /own && stat -c '%n %u %g %a %h' root g42 u42 u1000 nobody suid sgid dir1000 hard"
                        + " && stat -c '%n %u %g %F' link abs && readlink link && readlink abs && cat abs"
                        + " && test $(stat -c %i hard) = $(stat -c %i u1000) && echo same-inode");
        assertEquals("""
                root 0 0 644 1
                g42 0 42 640 1
                u42 42 42 600 1
                u1000 1000 1000 644 2
                nobody 65534 65534 644 1
                suid 0 0 4755 1
                sgid 1000 42 2755 1
                dir1000 1000 1000 750 2
                hard 1000 1000 644 2
                link 1000 42 symbolic link
                abs 0 0 symbolic link
                u1000
                /own/root
                data
                same-inode
                """, out);
        // ls -ln as a user sees it.
        String ls = env.ok("run", "--rm", "-q", "owners", "ls", "-ln", "/own/suid", "/own/sgid");
        assertTrue(ls.contains("-rwsr-xr-x    1 0        0") && ls.contains("-rwxr-sr-x    1 1000     42"), ls);

        // On the host: container 0 is alice, container N is her subordinate base + N - 1.
        Path diff = env.layerDiff(owned).resolve("own");
        long[][] expected = {
            {0, 0}, {0, 42}, {42, 42}, {1000, 1000}, {65534, 65534}, {0, 0}, {1000, 42}, {1000, 1000}, {1000, 42},
        };
        String[] names = {"root", "g42", "u42", "u1000", "nobody", "suid", "sgid", "dir1000", "link"};
        for (int i = 0; i < names.length; i++) {
            Path p = diff.resolve(names[i]);
            long uid = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long gid = ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
            assertEquals(ImageEnv.hostId(alice.uid(), alice.subuid(), expected[i][0]), uid, "host UID of " + p);
            assertEquals(ImageEnv.hostId(alice.gid(), alice.subgid(), expected[i][1]), gid, "host GID of " + p);
        }
        // The setuid and setgid bits survive the chown (chown(2) clears them; jrun restores them).
        assertEquals("4755", Host.check("stat", "-c", "%a", diff.resolve("suid").toString()).strip());
        assertEquals("2755", Host.check("stat", "-c", "%a", diff.resolve("sgid").toString()).strip());
        // The store is private to alice: other host users cannot reach her setuid files.
        assertEquals("700", Host.check("stat", "-c", "%a", env.store.toString()).strip());
    }

    @Test
    void bobsSplitRangesOwnTheImageFilesOnTheHost() throws Exception {
        // Container IDs 392, 393 and 5394 sit at the ends of bob's three stacked ranges.
        byte[] data = "x\n".getBytes(StandardCharsets.UTF_8);
        TestLayer owned = TestLayer.builder().dir("split")
                .file("split/a", data, 0644, 392, 392)
                .file("split/b", data, 0644, 393, 393)
                .file("split/c", data, 0644, 5394, 5394)
                .file("split/d", data, 0644, 65535, 65535).build();
        ItImages.base(owned).push(registry, "library/split:latest");
        ImageEnv env = env(bob);
        assertEquals("392 392\n393 393\n5394 5394\n65535 65535\n",
                env.ok("run", "--rm", "-q", "split", "stat", "-c", "%u %g", "/split/a", "/split/b", "/split/c", "/split/d"));
        Path diff = env.layerDiff(owned).resolve("split");
        long[] ids = {392, 393, 5394, 65535};
        String[] names = {"a", "b", "c", "d"};
        for (int i = 0; i < ids.length; i++) {
            Path p = diff.resolve(names[i]);
            assertEquals(ImageEnv.hostId(bob.uid(), bob.subuid(), ids[i]),
                    ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(), "host UID of " + p);
            assertEquals(ImageEnv.hostId(bob.gid(), bob.subgid(), ids[i]),
                    ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue(), "host GID of " + p);
        }
        assertEquals(296999L, ImageEnv.hostId(bob.uid(), bob.subuid(), 392));
        assertEquals(297000L, ImageEnv.hostId(bob.uid(), bob.subuid(), 393));
        assertEquals(302001L, ImageEnv.hostId(bob.uid(), bob.subuid(), 5394));
    }

    /**
     * A jrun killed with SIGKILL (OOM killer, a CI timeout) cannot remove its container area; its
     * container dies with it (its monitor sees jrun go). A --rm container's monitor then removes
     * it, so it must not pin the image: rmi without -f works and containers/ empties.
     */
    @Test
    void aKilledJrunLeavesNoContainerThatPinsTheImage() throws Exception {
        ItImages.base(ItImages.marker("k", "k\n")).push(registry, "library/killedrun:latest");
        ImageEnv env = env(alice);
        env.ok("pull", "-q", "killedrun");
        Process p = env.start("run", "--rm", "-q", "killedrun", "sh", "-c",
                "echo ready; touch /written-by-container; while true; do sleep 0.1; done");
        readUntil(p, "ready");
        Host.check("kill", "-KILL", String.valueOf(RunIT.jrunProcess(p).pid()));
        p.waitFor();
        List<String> left = ImageEnv.processesOf(List.of(env.store));
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = ImageEnv.processesOf(List.of(env.store));
        }
        assertEquals(List.of(), left, "the container outlived its killed jrun");

        Host.Result rmi = env.jrun("rmi", "killedrun");
        assertEquals(0, rmi.exit(), rmi.describe());
        env.assertNoImages();
        assertEquals(List.of(), ImageEnv.names(env.store.resolve("containers")));
        assertEquals(List.of(), env.layerDirs());
    }

    @Test
    void aFileOwnedOutsideTheCallersRangeFailsThePullAndStoresNoImage() throws Exception {
        TestLayer outside = TestLayer.builder().dir("far").file("far/away", "x\n".getBytes(StandardCharsets.UTF_8), 0644,
                70000, 0).build();
        ItImages.base(outside).push(registry, "library/faraway:latest");
        ImageEnv env = env(alice);
        Host.Result r = env.jrun("pull", "faraway");
        assertEquals(125, r.exit(), r.describe());
        long size = alice.subuid().stream().mapToLong(TestUsers.Range::count).sum() + 1;
        assertTrue(r.err().contains("UID 70000"), r.describe());
        assertTrue(r.err().contains("0-" + (size - 1)), r.describe());
        assertTrue(r.err().contains("/etc/subuid"), r.describe());
        env.assertNoImages();
        assertFalse(env.layerDirs().contains(outside.diffId().hex()), "the refused layer was committed");
        Host.Result run = env.jrun("run", "--rm", "--pull=never", "faraway", "true");
        assertEquals(125, run.exit(), run.describe());
    }

    @Test
    void containersOfOneImageDoNotSeeEachOthersWrites() throws Exception {
        TestLayer files = TestLayer.builder().dir("data").file("data/file", "original\n").file("data/gone", "here\n")
                .build();
        ItImages.base(files).push(registry, "library/cow:latest");
        ImageEnv env = env(alice);
        env.ok("pull", "-q", "cow");
        String layerBefore = ImageEnv.snapshot(env.layerDiff(files));

        // First container writes, deletes and creates files, then waits (trap: PID 1 ignores TERM without one).
        Process writer = env.start("run", "--rm", "-q", "cow", "sh", "-c", "trap 'exit 0' TERM; echo changed > /data/file;"
                + " rm /data/gone; touch /data/new; echo changed > /etc/passwd; cat /data/file; ls /data; echo ready;"
                + " while true; do sleep 0.1; done");
        try {
            String seen = readUntil(writer, "ready");
            assertEquals("changed\nfile\nnew\nready\n", seen);
            // While it runs: a second container sees the image as it was.
            String other = env.ok("run", "--rm", "-q", "cow", "sh", "-c", "cat /data/file; ls /data; grep -c root /etc/passwd");
            assertEquals("original\nfile\ngone\n1\n", other);
            // Only the writer's private area is left; the second container's went with it.
            assertEquals(1, ImageEnv.names(env.store.resolve("containers")).size());
            // The leak check after each test can see a running container of this test (or it would prove nothing).
            List<String> running = ImageEnv.processesOf(List.of(env.store));
            assertTrue(running.stream().anyMatch(p -> p.split(" ", 2)[1].startsWith("sh -c trap")), "container processes not found: " + running);
        } finally {
            // SIGTERM to jrun reaches the container, whose trap exits 0.
            Host.check("kill", "-TERM", String.valueOf(RunIT.jrunProcess(writer).pid()));
            assertEquals(0, writer.waitFor(), new String(writer.getErrorStream().readAllBytes()));
        }
        String third = env.ok("run", "--rm", "-q", "cow", "sh", "-c", "cat /data/file; ls /data");
        assertEquals("original\nfile\ngone\n", third);
        assertEquals(layerBefore, ImageEnv.snapshot(env.layerDiff(files)), "a container changed the image's layer");
    }

    @Test
    void theImageConfigAppliesAndOptionsOverrideIt() throws Exception {
        TestLayer work = TestLayer.builder().dir("srv", 0755, 0, 0).dir("srv/app", 0755, 1234, 1234).build();
        ItImages.base(work)
                .entrypoint("/bin/sh", "-c", "echo args:\"$*\" ep:$0; echo env:$GREETING:$PATH; pwd; id", "entry")
                .cmd("hello", "world")
                .env("GREETING=hi from image", "PATH=/usr/local/bin:/usr/bin:/bin")
                .workingDir("/srv/app")
                .user("app")
                .stopSignal("SIGUSR1")
                .push(registry, "library/cfg:latest");
        ImageEnv env = env(alice);
        String out = env.ok("run", "--rm", "-q", "cfg");
        List<String> lines = out.lines().toList();
        assertEquals("args:hello world ep:entry", lines.get(0), out);
        assertEquals("env:hi from image:/usr/local/bin:/usr/bin:/bin", lines.get(1), out);
        assertEquals("/srv/app", lines.get(2), out);
        // User "app" resolved in the image's /etc/passwd, with its supplementary group.
        assertTrue(lines.get(3).startsWith("uid=1234(app) gid=1234(app)") && lines.get(3).contains("50(staff)"), out);

        // Arguments replace Cmd and keep the Entrypoint.
        assertEquals("args:one two ep:entry", env.ok("run", "--rm", "-q", "cfg", "one", "two").lines().findFirst().orElseThrow());

        // -e, -w, -u and --entrypoint override the image, as in podman.
        String over = env.ok("run", "--rm", "-q", "-e", "GREETING=override", "-w", "/tmp", "-u", "0", "--entrypoint", "/bin/sh",
                "cfg", "-c", "echo $GREETING; pwd; id -u; echo $PATH");
        assertEquals("override\n/tmp\n0\n/usr/local/bin:/usr/bin:/bin\n", over);
        String user = env.ok("run", "--rm", "-q", "-u", "user", "--entrypoint", "", "cfg", "id", "-un");
        assertEquals("user\n", user);
    }

    @Test
    void anUnknownStopSignalInTheImageIsRefused() throws Exception {
        // The image config is hostile input: a StopSignal jrun cannot send must not be ignored silently.
        ItImages.base().stopSignal("SIGNOTREAL").push(registry, "library/badstop:latest");
        ImageEnv env = env(alice);
        Host.Result r = env.jrun("run", "--rm", "-q", "badstop", "true");
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains("StopSignal SIGNOTREAL"), r.describe());
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesHideLowerFiles() throws Exception {
        TestLayer lower = TestLayer.builder().dir("w").file("w/a", "a\n").file("w/b", "b\n").dir("w/dir")
                .file("w/dir/x", "x\n").dir("o").file("o/keep1", "1\n").dir("o/sub").file("o/sub/keep2", "2\n").build();
        TestLayer middle = TestLayer.builder().dir("w").whiteout("w/a").whiteout("w/dir").dir("o").opaque("o")
                .file("o/new", "new\n").build();
        TestLayer upper = TestLayer.builder().dir("w").dir("w/dir").file("w/dir/y", "y\n").build();
        ItImages.base(lower, middle, upper).push(registry, "library/whiteouts:latest");
        ImageEnv env = env(alice);
        String out = env.ok("run", "--rm", "-q", "whiteouts", "sh", "-c", "ls -a /w /w/dir /o; test -e /w/a || echo no-a;"
                + " test -e /o/sub/keep2 || echo no-keep2; cat /w/b /w/dir/y /o/new");
        // busybox ls sorts its operands.
        assertEquals("""
                /o:
                .
                ..
                new

                /w:
                .
                ..
                b
                dir

                /w/dir:
                .
                ..
                y
                no-a
                no-keep2
                b
                y
                new
                """, out);
    }

    @Test
    void anIndexResolvesToTheHostsPlatformOrTheOneAskedFor() throws Exception {
        Platform host = Platform.host();
        String hostName = host.os() + "/" + host.architecture();
        String otherArch = host.architecture().equals("arm64") ? "amd64" : "arm64";
        String other = "linux/" + otherArch;
        // The "other" image carries the host's busybox too (no emulator here): only the marker tells them apart.
        TestImages.index()
                .image(ItImages.base(ItImages.marker("platform", hostName + "\n")).platform(hostName))
                .image(ItImages.base(ItImages.marker("platform", other + "\n")).platform(other))
                .push(registry, "library/multi:latest");
        ImageEnv env = env(alice);
        assertEquals(hostName + "\n", env.ok("run", "--rm", "-q", "multi", "cat", "/platform"));
        ImageEnv env2 = env(alice);
        assertEquals(other + "\n", env2.ok("run", "--rm", "-q", "--platform", other, "multi", "cat", "/platform"));
        String json = env2.imagesJson();
        assertTrue(json.contains(other), json);

        Host.Result unknown = env2.jrun("pull", "--platform", "linux/s390x", "multi");
        assertEquals(125, unknown.exit(), unknown.describe());
        assertTrue(unknown.err().contains("linux/s390x"), unknown.describe());
        assertTrue(unknown.err().contains(hostName) && unknown.err().contains(other),
                "the error should list the available platforms: " + unknown.describe());
    }

    @Test
    void rmiImagesInspectAndPrune() throws Exception {
        TestImages.Pushed a = ItImages.base(ItImages.marker("a", "a\n")).cmd("cat", "/a").push(registry, "library/rmia");
        TestImages.Pushed b = ItImages.base(ItImages.marker("b", "b\n")).push(registry, "library/rmib");
        ImageEnv env = env(alice);
        String idA = env.ok("pull", "-q", "rmia").strip();
        String idB = env.ok("pull", "-q", "rmib").strip();
        assertEquals(a.image().configDigest().hex(), idA);

        JsonNode images = new ObjectMapper().readTree(env.imagesJson());
        assertEquals(2, images.size(), images.toString());
        Set<String> seen = new TreeSet<>();
        for (JsonNode i : images) seen.add(i.get("Id").asText() + " " + i.get("Names").get(0).asText());
        assertEquals(new TreeSet<>(Set.of(idA + " docker.io/library/rmia:latest", idB + " docker.io/library/rmib:latest")),
                seen);
        JsonNode inspect = new ObjectMapper().readTree(env.ok("image", "inspect", "rmia")).get(0);
        assertEquals(idA, inspect.get("Id").asText());
        assertEquals("[\"cat\",\"/a\"]", inspect.get("Config").get("config").get("Cmd").toString());
        assertEquals(3, inspect.get("Layers").size());
        // By a unique ID prefix too, as podman.
        assertEquals(idA, new ObjectMapper().readTree(env.ok("image", "inspect", idA.substring(0, 12))).get(0)
                .get("Id").asText());
        // The table: repository, tag and short ID on one line.
        String table = env.ok("images");
        assertTrue(table.lines().anyMatch(l -> l.startsWith("docker.io/library/rmib ") && l.contains(" latest ")
                && l.contains(" " + idB.substring(0, 12) + " ")), table);

        // A running container holds its image: rmi refuses, rmi -f removes it anyway.
        Process sleeper = env.start("run", "--rm", "-q", "rmia", "sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done");
        try {
            readUntil(sleeper, "ready");
            Host.Result refused = env.jrun("rmi", "rmia");
            assertEquals(125, refused.exit(), refused.describe());
            assertTrue(refused.err().contains("-f"), refused.describe());
            assertEquals(2, new ObjectMapper().readTree(env.imagesJson()).size());
            Host.Result forced = env.jrun("rmi", "-f", "rmia");
            assertEquals(0, forced.exit(), forced.describe());
            // The container still works on its layers.
            assertTrue(sleeper.isAlive());
        } finally {
            Host.check("kill", "-TERM", String.valueOf(RunIT.jrunProcess(sleeper).pid()));
            assertEquals(0, sleeper.waitFor(), new String(sleeper.getErrorStream().readAllBytes()));
        }
        env.ok("image", "prune");
        JsonNode left = new ObjectMapper().readTree(env.imagesJson());
        assertEquals(1, left.size(), left.toString());
        assertEquals(idB, left.get(0).get("Id").asText());
        // Only rmib's layers remain: the shared busybox and etc layers, and b's marker.
        List<String> layers = new ArrayList<>();
        for (TestLayer l : b.image().layers()) layers.add(l.diffId().hex());
        assertEquals(layers.stream().sorted().toList(), env.layerDirs());
        assertEquals("b\n", env.ok("run", "--rm", "-q", "--pull=never", "rmib", "cat", "/b"));

        // rmi of an unused image removes its own layers at once and keeps shared ones.
        env.ok("rmi", "rmib");
        env.assertNoImages();
        assertEquals(List.of(), env.layerDirs());
    }

    @Test
    void pullNeverAndPullAlways() throws Exception {
        ItImages.base(ItImages.marker("m", "one\n")).push(registry, "library/tagmove:latest");
        ImageEnv env = env(alice);
        Host.Result never = env.jrun("run", "--rm", "--pull=never", "tagmove", "cat", "/m");
        assertEquals(125, never.exit(), never.describe());
        assertTrue(never.err().contains("jrun pull tagmove"), never.describe());
        env.assertNoImages();

        assertEquals("one\n", env.ok("run", "--rm", "-q", "tagmove", "cat", "/m"));
        ItImages.base(ItImages.marker("m", "two\n")).push(registry, "library/tagmove:latest");
        // missing (the default): the stored image is used.
        assertEquals("one\n", env.ok("run", "--rm", "-q", "tagmove", "cat", "/m"));
        assertEquals("one\n", env.ok("run", "--rm", "--pull=never", "tagmove", "cat", "/m"));
        // always: the tag is resolved again and the new image used.
        Host.Result always = env.jrun("run", "--rm", "-q", "--pull=always", "tagmove", "cat", "/m");
        assertEquals(0, always.exit(), always.describe());
        assertEquals("two\n", always.out());
        assertEquals("", always.err(), "-q: nothing about the pull");
        assertEquals("two\n", env.ok("run", "--rm", "--pull=never", "tagmove", "cat", "/m"));
    }

    /** Reads stdout up to and including the line {@code last}. */
    static String readUntil(Process p, String last) throws Exception {
        StringBuilder all = new StringBuilder();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = p.getInputStream().read()) >= 0) {
            all.append((char) c);
            if (c == '\n') {
                if (line.toString().equals(last)) return all.toString();
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        fail("the container never printed '" + last + "': " + all + new String(p.getErrorStream().readAllBytes()));
        return null;
    }
}
