package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.it.TestUsers.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `jrun run` as podman runs it (issue 14): each test asserts what podman 4.3 (runc, rootless)
 * printed for the same invocation, run as the unprivileged alice on an image imported into her
 * own store. The image has a user app (1000, also in group extra 2000), /data seeded with a
 * file of app's, and no /run or /var/tmp.
 */
class PodmanRunIT {
    static final String IMAGE = "localhost/podtest:latest";
    static User alice;
    static Path work;
    static Path store;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        alice = TestUsers.alice();
        TestInstall.dir();
        work = Files.createTempDirectory("jrun-it-podman-");
        Host.check("chmod", "0755", work.toString());
        Path rootfs = work.resolve("rootfs");
        Host.check("cp", "-a", TestInstall.rootfs().toString(), rootfs.toString());
        Host.check("rm", "-rf", rootfs.resolve("run").toString(), rootfs.resolve("var").toString());
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1000:app:/home/app:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                app:x:1000:
                extra:x:2000:app
                """);
        Files.createDirectories(rootfs.resolve("data/sub"));
        Files.writeString(rootfs.resolve("data/sub/f"), "seeded\n");
        Host.check("chown", "-R", "1000:1000", rootfs.resolve("data").toString());
        Path tar = work.resolve("podtest.tar");
        Host.check("tar", "-C", rootfs.toString(), "--numeric-owner", "-cf", tar.toString(), ".");
        Host.check("chmod", "0644", tar.toString());
        store = work.resolve("store");
        Host.check("install", "-d", "-o", alice.name(), "-g", alice.name(), "-m", "0700", store.toString());
        Host.Result imported = jrun("import", tar.toString(), IMAGE);
        assertEquals(0, imported.exit(), imported.describe());
    }

    @AfterAll
    static void tearDown() {
        if (work != null) Host.run(List.of("rm", "-rf", "--one-file-system", work.toString()));
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        ImageEnv.assertNothingLeftBehind(List.of(store));
    }

    static Map<String, String> env() {
        return Map.of("JRUN_ROOT", store.toString(), "FOO_A", "1", "FOO_B", "2", "FOOD", "3");
    }

    static Host.Result jrun(String... args) {
        return TestInstall.jrun(alice.name(), env(), args);
    }

    /** `jrun run --pull=never OPTIONS... IMAGE COMMAND...`, which must exit 0; returns stdout. */
    static String run(List<String> options, String... command) {
        Host.Result r = runResult(options, command);
        assertEquals(0, r.exit(), r.describe());
        return r.out();
    }

    /** --rm: a kept container would keep its volumes in use (podman's rule too). */
    static Host.Result runResult(List<String> options, String... command) {
        List<String> args = Host.list("run", "--rm", "--pull=never");
        args.addAll(options);
        args.add(IMAGE);
        args.addAll(List.of(command));
        return jrun(args.toArray(String[]::new));
    }

    @Test
    void item1ShortHIsTheHostnameAndHelpStaysHelp() {
        assertEquals("box\n", run(List.of("-h", "box"), "hostname"));
        Host.Result help = jrun("run", "--help");
        assertEquals(0, help.exit(), help.describe());
        assertTrue(help.out().contains("-h, --hostname=NAME"), help.out());
    }

    @Test
    void item2SupplementaryGroupsKeepThePrimaryGroup() {
        assertEquals("uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\nGroups:\t1000 2000 \n",
                run(List.of("-u", "app"), "sh", "-c", "id; grep Groups /proc/self/status"));
        assertEquals("uid=0(root) gid=0(root) groups=0(root)\nGroups:\t0 \n",
                run(List.of("-u", "0"), "sh", "-c", "id; grep Groups /proc/self/status"));
        assertEquals("uid=0(root) gid=0(root)\n", run(List.of(), "id"), "no -u: no supplementary groups");
    }

    @Test
    void item3AnUnknownUidGetsAPasswdLine() {
        assertEquals("uid=1234(1234) gid=0(root) groups=0(root)\n1234\n/\n1234:*:1234:0:container user:/:/bin/sh\n",
                run(List.of("-u", "1234"), "sh", "-c", "id; whoami; echo $HOME; tail -1 /etc/passwd"));
        assertEquals("/tmp\n1234:*:1234:0:container user:/tmp:/bin/sh\n",
                run(List.of("-u", "1234", "-w", "/tmp"), "sh", "-c", "echo $HOME; tail -1 /etc/passwd"));
        assertEquals("1234:x:1234:0:container user:/:/bin/ash:\n", run(List.of("--passwd-entry",
                "$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/ash:", "-u", "1234"), "tail", "-1", "/etc/passwd"));
        assertEquals("uid=1234 gid=0(root) groups=0(root)\n/\n",
                run(List.of("--passwd=false", "-u", "1234"), "sh", "-c", "id; echo $HOME"));
    }

    @Test
    void item4ReadOnlyGetsPodmansTmpfsAndReadOnlyEtcFiles() {
        Host.Result r = runResult(List.of("--read-only"), "sh", "-c",
                "touch /run/a /var/tmp/a /tmp/a && echo ok; echo x >> /etc/hosts; "
                        + "grep -E ' /(run|tmp|var/tmp) ' /proc/mounts | cut -d' ' -f2,3,4 | cut -d, -f1-3");
        assertEquals(0, r.exit(), r.describe());
        assertEquals("ok\n/tmp tmpfs rw,nosuid,nodev\n/var/tmp tmpfs rw,nosuid,nodev\n/run tmpfs rw,nosuid,nodev\n",
                r.out());
        assertTrue(r.err().contains("can't create /etc/hosts: Read-only file system"), r.describe());
        Host.Result off = runResult(List.of("--read-only", "--read-only-tmpfs=false"), "touch", "/tmp/a");
        assertEquals(1, off.exit(), off.describe());
        assertTrue(off.err().contains("touch: /tmp/a: Read-only file system"), off.describe());
    }

    @Test
    void item5EntrypointAsAJsonArray() {
        assertEquals("json a b\n", run(List.of("--entrypoint", "[\"/bin/echo\",\"json\"]"), "a", "b"));
        Host.Result notJson = runResult(List.of("--entrypoint", "[\"/bin/echo\","), "a");
        assertEquals(127, notJson.exit(), notJson.describe());
    }

    @Test
    void item6EnvPrefixTakesTheCallersVariables() throws Exception {
        assertEquals("FOO_A=1\nFOO_B=2\n", run(List.of("-e", "FOO_*"), "sh", "-c", "env | grep ^FOO | sort"));
        Path file = work.resolve("env-prefix");
        Files.writeString(file, "FOOD*\n");
        Host.check("chmod", "0644", file.toString());
        assertEquals("FOOD=3\n", run(List.of("--env-file", file.toString()), "sh", "-c", "env | grep ^FOO | sort"));
    }

    static String otherArchitecture() {
        return System.getProperty("os.arch").equals("amd64") ? "linux/arm64" : "linux/amd64";
    }

    @Test
    void item7AnImageOfAnotherPlatformIsNeverRun() {
        Host.Result never = runResult(List.of("--platform", otherArchitecture()), "echo", "ran");
        // --pull=never is in runResult: the amd64 image must not stand in for the arm64 one.
        assertEquals(125, never.exit(), never.describe());
        assertFalse(never.out().contains("ran"), never.describe());
        assertTrue(never.err().contains("for " + otherArchitecture() + " is not in the store"), never.describe());
        Host.Result pull = jrun("run", "--rm", "--platform", otherArchitecture(), IMAGE, "echo", "ran");
        assertEquals(125, pull.exit(), pull.describe());
        assertFalse(pull.out().contains("ran"), pull.describe());
        String host = System.getProperty("os.arch").equals("amd64") ? "linux/amd64" : "linux/arm64";
        assertEquals("ran\n", run(List.of("--platform", host), "echo", "ran"));
    }

    @Test
    void item8APullThatCannotConnectRetriesLikePodmanAndSaysSo() {
        long start = System.nanoTime();
        Host.Result r = jrun("pull", "127.0.0.1:1/nothing:latest");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(125, r.exit(), r.describe());
        for (int i = 1; i <= 3; i++) {
            assertTrue(r.err().contains("Failed, retrying in 1s ... (" + i + "/3)"), r.describe());
        }
        assertTrue(r.err().contains("gave up after 4 attempts"), r.describe());
        // podman: 3.1 s; jrun adds its JVM start. Before: 15.8 s.
        assertTrue(seconds >= 3 && seconds < 9, "took " + seconds + " s");
    }

    @Test
    void item9TermIsXtermInEveryContainer() {
        assertEquals("xterm\n", run(List.of(), "sh", "-c", "echo $TERM"));
        assertEquals("dumb\n", run(List.of("-e", "TERM=dumb"), "sh", "-c", "echo $TERM"));
    }

    @Test
    void item10TheHostNetworkKeepsTheHostsHostname() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        String uts = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        assertEquals(host + "\n" + host + "\n" + uts + "\n", run(List.of("--network", "host"), "sh", "-c",
                "hostname; cat /etc/hostname; readlink /proc/self/ns/uts"));
        assertEquals("box\n", run(List.of("--network", "host", "--hostname", "box"), "hostname"));
    }

    @Test
    void item11EtcMtabLinksToProcMounts() {
        assertEquals("/proc/mounts\n", run(List.of(), "readlink", "/etc/mtab"));
    }

    @Test
    void item12VolumeCommandsAsPodman() {
        assertEquals("v1\n", jrun("volume", "create", "v1").out());
        assertEquals("DRIVER      VOLUME NAME\nlocal       v1\n", jrun("volume", "ls").out());
        String inspect = jrun("volume", "inspect", "v1").out();
        assertTrue(inspect.startsWith("[\n     {\n          \"Name\": \"v1\",\n          \"Driver\": \"local\",\n"),
                inspect);
        assertTrue(inspect.contains("\"Mountpoint\": \"" + store.resolve("volumes/v1/_data") + "\""), inspect);
        Host.Result again = jrun("volume", "create", "v1");
        assertEquals(125, again.exit(), again.describe());
        assertEquals("v1\n", jrun("volume", "rm", "v1").out());
        Host.Result missing = jrun("volume", "rm", "v1");
        assertEquals(1, missing.exit(), missing.describe());
        assertTrue(missing.err().contains("no volume with name \"v1\" found"), missing.describe());
        Host.Result bad = jrun("volume", "create", "../etc");
        assertEquals(125, bad.exit(), bad.describe());
        assertTrue(bad.err().contains("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"), bad.describe());
        Host.Result badRun = runResult(List.of("-v", "bad!name:/x"), "true");
        assertEquals(125, badRun.exit(), badRun.describe());
        assertTrue(badRun.err().contains("names must match"), badRun.describe());
        assertFalse(Files.exists(store.resolve("etc")), "a hostile name made a directory outside volumes/");
    }

    @Test
    void item12ANamedVolumeIsCreatedOnFirstUseAndFilledFromTheImage() throws Exception {
        assertEquals("1000 1000 seeded\n", run(List.of("-v", "seeded:/data"), "sh", "-c",
                "stat -c '%u %g' /data/sub/f | tr '\\n' ' '; cat /data/sub/f; echo more > /data/new"));
        assertEquals("more\n", run(List.of("-v", "seeded:/elsewhere"), "cat", "/elsewhere/new"));
        assertTrue(jrun("volume", "ls").out().contains("local       seeded\n"));
        long appOnHost = ImageEnv.hostId(alice.uid(), alice.subuid(), 1000);
        Path data = store.resolve("volumes/seeded/_data");
        assertEquals(appOnHost + "\n", Host.check("stat", "-c", "%u", data.resolve("sub/f").toString()));
        // A volume that is not new is never filled again (podman, CVE-2020-1726).
        Host.check("rm", "-rf", data.resolve("sub").toString());
        assertEquals("new\n", run(List.of("-v", "seeded:/data"), "ls", "/data"));
        // A new volume where the image has nothing belongs to the container's user.
        assertEquals("1000 1000\nwritable\n", run(List.of("-u", "1000", "-v", "fresh:/fresh"), "sh", "-c",
                "stat -c '%u %g' /fresh; touch /fresh/x && echo writable"));
        Host.Result ro = runResult(List.of("--mount", "type=volume,source=seeded,target=/m,ro"), "touch", "/m/x");
        assertEquals(1, ro.exit(), ro.describe());
        assertTrue(ro.err().contains("Read-only file system"), ro.describe());
        assertEquals("fresh\nseeded\n", jrun("volume", "prune", "-f").out());
        assertEquals("DRIVER      VOLUME NAME\n", jrun("volume", "ls").out());
    }

    @Test
    void item12UChownsABindMountToTheContainersUser() throws Exception {
        Path dir = work.resolve("bind-u");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("f"), "x");
        Host.check("chown", "-R", "alice:", dir.toString());
        assertEquals("1000 1000\nwritable\n", run(List.of("-u", "1000", "-v", dir + ":/b:U,z"), "sh", "-c",
                "stat -c '%u %g' /b/f; touch /b/y && echo writable"));
        long appOnHost = ImageEnv.hostId(alice.uid(), alice.subuid(), 1000);
        assertEquals(appOnHost + "\n", Host.check("stat", "-c", "%u", dir.resolve("y").toString()));
        assertEquals(appOnHost + "\n", Host.check("stat", "-c", "%u", dir.resolve("f").toString()));
        assertEquals(appOnHost + "\n", Host.check("stat", "-c", "%u", dir.toString()));
    }

    @Test
    void item12TmpfsAndMountTypeTmpfs() {
        assertEquals("/scratch tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700\n/t tmpfs rw,nosuid,nodev,relatime,size=2048k\n",
                run(List.of("--tmpfs", "/scratch:size=1m,mode=700", "--mount", "type=tmpfs,target=/t,tmpfs-size=2m"),
                        "sh", "-c", "grep -E ' /(scratch|t) ' /proc/mounts | cut -d' ' -f2,3,4 | sed 's/,uid=.*//' | sort"));
        Host.Result bad = runResult(List.of("--tmpfs", "/x:size=1m,foo=bar"), "true");
        assertEquals(125, bad.exit(), bad.describe());
        assertTrue(bad.err().contains("unknown tmpfs option 'foo=bar'"), bad.describe());
    }

    @Test
    void item12AVolumeInUseIsNotRemoved() throws Exception {
        Map<String, String> env = new HashMap<>(env());
        Process busy = new ProcessBuilder(TestInstall.command(alice.name(), env, "run", "--rm", "--pull=never",
                "--stop-timeout", "1", "-v", "busy:/x", IMAGE, "sh", "-c", "echo ready; exec sleep 987"))
                .directory(TestInstall.dir().toFile()).start();
        try {
            String line = new String(busy.getInputStream().readNBytes(6));
            assertEquals("ready\n", line, "the container did not start");
            Host.Result rm = jrun("volume", "rm", "busy");
            assertEquals(2, rm.exit(), rm.describe());
            assertTrue(rm.err().contains("volume busy is being used by the following container(s): "), rm.describe());
            assertEquals("", jrun("volume", "prune", "-f").out(), "prune removed a volume in use");
        } finally {
            RunIT.sigterm(busy);
            busy.waitFor();
        }
        // --rm: the container's record goes when it ends; then the volume is free.
        Host.Result rm = jrun("volume", "rm", "busy");
        for (int i = 0; i < 20 && rm.exit() == 2; i++) {
            Thread.sleep(250);
            rm = jrun("volume", "rm", "busy");
        }
        assertEquals("busy\n", rm.out(), rm.describe());
        if (busy.exitValue() == 0) fail("sleep was not stopped");
    }
}
