package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.it.TestUsers.Range;
import dev.jrun.it.TestUsers.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `jrun run --rootfs` for real: user namespaces, newuidmap, pivot_root, as unprivileged users. */
class RunIT {
    static User alice;
    static User bob;
    static String rootfs;

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        bob = TestUsers.bob();
        rootfs = TestInstall.rootfs().toString();
        TestInstall.dir();
    }

    /**
     * What these tests start: jrun from the test install, and the commands of its containers.
     * Other processes of the test users (podman's pause process, other suites) are not ours.
     */
    private static final List<String> OURS = List.of("sleep 987", "sleep 988", "sleep 600", "got TERM");

    @AfterEach
    void nothingLeftBehind() throws Exception {
        List<String> left = ours();
        for (int i = 0; i < 30 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = ours();
        }
        assertTrue(left.isEmpty(), "processes left behind: " + left);
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertTrue(!mounts.contains(rootfs), "a container mount leaked to the host: " + mounts);
    }

    private static List<String> ours() {
        String install = TestInstall.dir().toString();
        List<String> out = new java.util.ArrayList<>();
        for (String user : List.of("alice", "bob", "carol")) {
            for (String p : TestInstall.processesOf(user)) {
                if (p.contains(install) || p.contains(rootfs) || OURS.stream().anyMatch(p::contains)) out.add(p);
            }
        }
        return out;
    }

    private static Host.Result jrun(User user, String... args) {
        return TestInstall.jrun(user.name(), args);
    }

    private static String podmanMap(long ownId, List<Range> ranges) {
        StringBuilder sb = new StringBuilder(String.format("%10d %10d %10d%n", 0, ownId, 1));
        long next = 1;
        for (Range r : ranges.stream().sorted((a, b) -> Long.compare(a.start(), b.start())).toList()) {
            sb.append(String.format("%10d %10d %10d%n", next, r.start(), r.count()));
            next += r.count();
        }
        return sb.toString();
    }

    /** The launch path below runs on the backend of the JVM under test: Panama on JDK 22+, else JNA. */
    @Test
    void versionNamesTheJvmAndTheSyscallBackendUnderTest() throws Exception {
        Host.Result r = jrun(alice, "--version");
        assertEquals(0, r.exit(), r.describe());
        String release = Files.readString(Path.of(TestInstall.javaHome(), "release"));
        var m = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(release);
        assertTrue(m.find(), release);
        String backend = Integer.parseInt(m.group(1)) >= 22 ? "syscalls: panama" : "syscalls: jna";
        assertTrue(r.out().contains(backend), "expected '" + backend + "': " + r.describe());
        assertTrue(r.out().contains("in " + TestInstall.javaHome()), "the JVM is not named: " + r.describe());
    }

    @Test
    void aliceGetsPodmansMapLineForLine() {
        Host.Result r = jrun(alice, "run", "--rm", "--rootfs", rootfs, "cat", "/proc/self/uid_map", "/proc/self/gid_map");
        assertEquals(0, r.exit(), r.describe());
        assertEquals(podmanMap(alice.uid(), alice.subuid()) + podmanMap(alice.gid(), alice.subgid()), r.out());
    }

    @Test
    void bobsSplitRangesAreStackedByHostStart() {
        Host.Result r = jrun(bob, "run", "--rm", "--rootfs", rootfs, "cat", "/proc/self/uid_map");
        assertEquals(0, r.exit(), r.describe());
        assertEquals(String.format("%10d %10d %10d%n", 0, bob.uid(), 1)
                + "         1     296608        392\n"
                + "       393     297000       5001\n"
                + "      5394     302001      60143\n", r.out());
    }

    @Test
    void theCommandIsRootAndPid1InItsOwnNamespaces() {
        Host.Result r = jrun(alice, "run", "--rm", "--hostname", "box", "--rootfs", rootfs, "sh", "-c",
                "id -u; id -g; echo $$; hostname; cat /etc/hostname; readlink /proc/1/exe; ls /dev/pts/ptmx");
        assertEquals(0, r.exit(), r.describe());
        assertEquals("0\n0\n1\nbox\nbox\n/bin/busybox\n/dev/pts/ptmx\n", r.out());
    }

    @Test
    void containerProcessesRunAsTheCallerOrItsFirstSubordinateUidOnTheHost() throws Exception {
        long base = alice.subuid().stream().mapToLong(Range::start).min().orElseThrow();
        assertEquals(String.valueOf(alice.uid()), hostUidOfSleep("987"));
        assertEquals(String.valueOf(base), hostUidOfSleep("988", "-u", "1"));
    }

    /** Starts `sleep N` in a container, reads its owner from the host's ps, then stops jrun. */
    private static String hostUidOfSleep(String seconds, String... options) throws Exception {
        List<String> args = Host.list("run", "--rm", "--stop-timeout", "1");
        args.addAll(List.of(options));
        args.addAll(List.of("--rootfs", rootfs, "sleep", seconds));
        Process jrun = new ProcessBuilder(TestInstall.command("alice", args.toArray(String[]::new)))
                .directory(TestInstall.dir().toFile()).redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100; i++) {
                Host.Result ps = Host.run(List.of("ps", "-o", "uid=,args=", "-C", "sleep"));
                for (String line : ps.out().split("\n")) {
                    if (line.strip().endsWith("sleep " + seconds)) return line.strip().split("\\s+")[0];
                }
                Thread.sleep(100);
            }
            fail("no 'sleep " + seconds + "' process appeared; jrun said: " + new String(jrun.getInputStream().readNBytes(4000)));
            return null;
        } finally {
            sigterm(jrun);
            jrun.waitFor();
        }
    }

    @Test
    void filesInABindMountBelongToTheCallerOrToTheMappedUid() throws Exception {
        Path data = Files.createTempDirectory("jrun-it-vol-");
        try {
            Host.check("chmod", "1777", data.toString());
            Host.Result r = jrun(alice, "run", "--rm", "-v", data + ":/data", "--rootfs", rootfs, "sh", "-c",
                    "touch /data/by-root && su -s /bin/sh user -c 'touch /data/by-user' && ls -n /data");
            assertEquals(0, r.exit(), r.describe());
            long base = alice.subuid().stream().mapToLong(Range::start).min().orElseThrow();
            assertEquals(String.valueOf(alice.uid()), Host.check("stat", "-c", "%u", data.resolve("by-root").toString()).strip());
            assertEquals(String.valueOf(base + 999), Host.check("stat", "-c", "%u", data.resolve("by-user").toString()).strip());
            Host.Result ro = jrun(alice, "run", "--rm", "-v", data + ":/data:ro", "--rootfs", rootfs, "touch", "/data/nope");
            assertEquals(1, ro.exit(), ro.describe());
            assertTrue(ro.err().contains("Read-only file system"), ro.describe());
        } finally {
            Host.check("rm", "-rf", data.toString());
        }
    }

    @Test
    void exitCodesFollowPodman() {
        assertEquals(0, jrun(alice, "run", "--rm", "--rootfs", rootfs, "true").exit());
        assertEquals(42, jrun(alice, "run", "--rm", "--rootfs", rootfs, "sh", "-c", "exit 42").exit());
        Host.Result notExecutable = jrun(alice, "run", "--rm", "--rootfs", rootfs, "/bin/not-executable");
        assertEquals(126, notExecutable.exit(), notExecutable.describe());
        assertTrue(notExecutable.err().contains("'/bin/not-executable' cannot be executed"), notExecutable.describe());
        Host.Result notFound = jrun(alice, "run", "--rm", "--rootfs", rootfs, "no-such-command");
        assertEquals(127, notFound.exit(), notFound.describe());
        assertTrue(notFound.err().contains("executable file 'no-such-command' not found in $PATH"), notFound.describe());
        Host.Result missingRootfs = jrun(alice, "run", "--rm", "--rootfs", "/nonexistent/rootfs", "true");
        assertEquals(125, missingRootfs.exit());
        assertTrue(missingRootfs.err().contains("--rootfs /nonexistent/rootfs: no such directory"), missingRootfs.describe());
        Host.Result badVolume = jrun(alice, "run", "--rm", "-v", "/nonexistent/dir:/data", "--rootfs", rootfs, "true");
        assertEquals(125, badVolume.exit());
        assertTrue(badVolume.err().contains("host path /nonexistent/dir does not exist"), badVolume.describe());
        Host.Result unknownUser = jrun(alice, "run", "--rm", "-u", "nosuchuser", "--rootfs", rootfs, "true");
        assertEquals(125, unknownUser.exit());
        assertTrue(unknownUser.err().contains("--user nosuchuser: no such user"), unknownUser.describe());
    }

    @Test
    void sigtermToJrunReachesTheContainer() throws Exception {
        Process trapping = new ProcessBuilder(TestInstall.command("alice", "run", "--rm", "--rootfs", rootfs, "sh", "-c",
                "trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.1; done"))
                .directory(TestInstall.dir().toFile()).start();
        waitForLine(trapping, "ready");
        sigterm(trapping);
        assertEquals(3, trapping.waitFor());
        assertEquals("got TERM\n", new String(trapping.getInputStream().readAllBytes()));

        // PID 1 without a handler ignores SIGTERM (pid_namespaces(7)); jrun kills it after the timeout.
        Process ignoring = new ProcessBuilder(TestInstall.command("alice", "run", "--rm", "--stop-timeout", "1", "--rootfs",
                rootfs, "sh", "-c", "echo ready; exec sleep 600")).directory(TestInstall.dir().toFile()).start();
        waitForLine(ignoring, "ready");
        Thread.sleep(300);
        sigterm(ignoring);
        assertEquals(137, ignoring.waitFor());
    }

    /**
     * SIGTERM to this test's jrun, as a user's kill would: the process under runuser and the
     * launcher script, a JVM until the container runs, then (same PID) jrun-monitor's attach side.
     */
    static void sigterm(Process started) {
        jrunProcess(started).destroy();   // destroy() is SIGTERM on Linux
    }

    static ProcessHandle jrunProcess(Process started) {
        // While the JVM turns into the attach side (execve), the process may briefly show as neither.
        List<ProcessHandle> found = List.of();
        for (int i = 0; i < 50 && found.size() != 1; i++) {
            found = started.descendants().filter(RunIT::isJrun).toList();
            if (found.size() != 1) sleepQuietly(100);
        }
        if (found.size() != 1) fail("expected one jrun process under " + started.pid() + ", found " + found);
        return found.get(0);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isJrun(ProcessHandle h) {
        String command = h.info().command().orElse("");
        String[] args = h.info().arguments().orElse(new String[0]);
        return command.endsWith("/java") || (command.contains("jrun-monitor") && args.length > 0 && args[0].equals("attach"));
    }

    private static void waitForLine(Process p, String line) throws Exception {
        StringBuilder got = new StringBuilder();
        int c;
        while ((c = p.getInputStream().read()) >= 0) {
            if (c == '\n') {
                if (got.toString().equals(line)) return;
                got.setLength(0);
            } else {
                got.append((char) c);
            }
        }
        fail("the container never printed '" + line + "': " + new String(p.getErrorStream().readAllBytes()));
    }

    @Test
    void rootGetsTheIdentityMapAndUsernsRemapGivesDockersMap() {
        Host.Result root = TestInstall.jrun("root", "run", "--rm", "--rootfs", rootfs, "cat", "/proc/self/uid_map");
        assertEquals(0, root.exit(), root.describe());
        assertEquals("         0          0 4294967295\n", root.out());
        Host.Result remap = TestInstall.jrun("root", "run", "--rm", "--userns-remap", "alice", "--rootfs", rootfs, "cat",
                "/proc/self/uid_map", "/proc/self/gid_map");
        assertEquals(0, remap.exit(), remap.describe());
        Range uid = alice.subuid().get(0);
        Range gid = alice.subgid().get(0);
        assertEquals(String.format("%10d %10d %10d%n%10d %10d %10d%n", 0, uid.start(), uid.count(), 0, gid.start(),
                gid.count()), remap.out());
    }

    @Test
    void aUserWithoutSubordinateIdsGetsOneIdAndAWarning() {
        User carol = TestUsers.carol();
        Host.Result r = jrun(carol, "run", "--rm", "--rootfs", rootfs, "cat", "/proc/self/uid_map");
        assertEquals(0, r.exit(), r.describe());
        assertEquals(String.format("%10d %10d %10d%n", 0, carol.uid(), 1), r.out());
        assertTrue(r.err().contains("usermod --add-subuids"), r.describe());
        Host.Result needsMore = jrun(carol, "run", "--rm", "-u", "1000", "--rootfs", rootfs, "true");
        assertEquals(125, needsMore.exit());
        assertTrue(needsMore.err().contains("container UID 1000 is not mapped"), needsMore.describe());
    }

    /** A rootfs exported from a podman container has /run/.containerenv, which --read-only's empty /run hides. */
    @Test
    void aRootfsThatHasContainerenvRunsReadOnly() throws Exception {
        Path copy = Files.createTempDirectory("jrun-it-containerenv-");
        try {
            Host.check("cp", "-a", rootfs + "/.", copy.toString());
            Files.createFile(copy.resolve("run/.containerenv"));
            Host.check("chmod", "-R", "a+rX", copy.toString());
            Host.Result r = jrun(alice, "run", "--rm", "--read-only", "--network", "none", "--rootfs", copy.toString(),
                    "sh", "-c", "test -f /run/.containerenv && echo detected");
            assertEquals(0, r.exit(), r.describe());
            assertEquals("detected\n", r.out(), r.describe());
        } finally {
            Host.run(List.of("rm", "-rf", copy.toString()));
        }
    }

    @Test
    void optionsWorkAsInPodman() throws Exception {
        Path envFile = Files.createTempFile("jrun-it-env", "");
        try {
            Files.writeString(envFile, "FROM_FILE=yes\n");
            Host.check("chmod", "644", envFile.toString());
            Host.Result r = jrun(alice, "run", "--rm", "-e", "A=1", "--env-file", envFile.toString(), "-w", "/tmp/work",
                    "-u", "user", "--read-only", "--network", "none", "--rootfs", rootfs, "sh", "-c",
                    "echo $A $FROM_FILE $HOME; pwd; id; touch /tmp/ok && echo tmp-writable; "
                            + "touch /etc/x 2>/dev/null || echo root-read-only; ip -o link show lo | grep -c UP; "
                            + "ls /sys/class/net; cat /proc/self/status | grep CapBnd");
            assertEquals(0, r.exit(), r.describe());
            // The primary group is a supplementary group too, as podman; setgroups(2) sorts the list.
            assertEquals("1 yes /home/user\n/tmp/work\nuid=1000(user) gid=1000(user) groups=50(staff),1000(user)\n"
                    + "tmp-writable\nroot-read-only\n1\nlo\nCapBnd:\t00000000800405fb\n", r.out());
        } finally {
            Files.deleteIfExists(envFile);
        }
    }

    @Test
    void aTerminalOfItsOwn() {
        String jrun = String.join(" ", TestInstall.command("alice", "run", "--rm", "-t", "--rootfs", rootfs, "sh", "-c",
                "tty; exit 5"));
        Host.Result r = Host.run(List.of("script", "-qec", jrun, "/dev/null"), TestInstall.dir().toFile(), 60);
        assertEquals(5, r.exit(), r.describe());
        assertTrue(r.out().contains("/dev/pts/0"), r.describe());
    }
}
