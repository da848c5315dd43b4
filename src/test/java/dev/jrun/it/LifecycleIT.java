package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.it.TestUsers.Range;
import dev.jrun.it.TestUsers.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Containers that outlive the command, for real as alice: run -d under jrun-monitor, ps, exec,
 * logs, stop, kill, wait, rm, inspect, and the faults a user meets.
 */
class LifecycleIT {
    static User alice;
    static String rootfs;
    Path store;

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        rootfs = TestInstall.rootfs().toString();
        TestInstall.dir();
    }

    @BeforeEach
    void newStore() throws Exception {
        store = Files.createTempDirectory("jrun-lifecycle-");
        Host.check("chown", alice.name() + ":", store.toString());
    }

    /** Every container of the test is removed and no process of its store is left. */
    @AfterEach
    void nothingLeftBehind() throws Exception {
        jrun("rm", "-a", "-f");
        List<String> left = processes();
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = processes();
        }
        Host.run(List.of("rm", "-rf", store.toString()));
        assertEquals(List.of(), left, "processes left behind");
    }

    private List<String> processes() {
        List<String> out = new ArrayList<>();
        for (String p : TestInstall.processesOf(alice.name())) {
            if (p.contains(store.toString()) || p.contains("lifecycle-probe")) out.add(p);
        }
        return out;
    }

    private Host.Result jrun(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(List.of(args));
        return TestInstall.jrun(alice.name(), all.toArray(String[]::new));
    }

    private String ok(String... args) {
        Host.Result r = jrun(args);
        assertEquals(0, r.exit(), r.describe());
        return r.out();
    }

    private JsonNode psJson() throws Exception {
        return new ObjectMapper().readTree(ok("ps", "-a", "--format", "json"));
    }

    private JsonNode entry(String name) throws Exception {
        for (JsonNode c : psJson()) if (c.get("Names").get(0).asText().equals(name)) return c;
        return null;
    }

    private static final String TRAPPING = "echo out; echo err >&2; trap 'echo bye; exit 7' TERM; "
            + "echo lifecycle-probe >/dev/null; while true; do sleep 0.1; done";

    @Test
    void aDetachedContainerIsListedEnteredLoggedStoppedAndRemoved() throws Exception {
        String id = ok("run", "-d", "--name", "web", "--network", "none", "--rootfs", rootfs, "sh", "-c", TRAPPING).strip();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        // run -d returned while the container runs: no JVM of ours is left, only the monitor.
        JsonNode web = entry("web");
        assertEquals("running", web.get("State").asText(), web.toString());
        assertTrue(web.get("Status").asText().startsWith("Up "), web.toString());
        assertEquals(id.substring(0, 12) + "\n", ok("ps", "-q"));
        assertTrue(processes().stream().noneMatch(p -> p.contains("/java ")), processes().toString());

        // exec: the same PID namespace (the container's PID 1 is its command), its own hostname
        // (its ID's start: with its own network; on the host's it keeps the host's, as podman), and
        // -u 1000 is the first subordinate UID + 999 on the host.
        String ps = ok("exec", "web", "ps", "-o", "pid,args");
        assertTrue(ps.lines().anyMatch(l -> l.strip().startsWith("1 sh -c echo out")), ps);
        assertEquals(id.substring(0, 12) + "\n", ok("exec", "web", "hostname"));
        // A process that enters the container gets its seccomp filter too (as runc exec).
        assertTrue(ok("exec", "web", "grep", "Seccomp:", "/proc/self/status").matches("Seccomp:\\s+2\\n"));
        assertEquals("5", String.valueOf(jrun("exec", "web", "sh", "-c", "exit 5").exit()));
        assertEquals(127, jrun("exec", "web", "no-such-command").exit());
        ok("exec", "-d", "-u", "1000", "web", "sleep", "642");
        long base = alice.subuid().stream().mapToLong(Range::start).min().orElseThrow();
        String hostUid = "";
        for (int i = 0; i < 50 && hostUid.isEmpty(); i++) {
            for (String line : Host.run(List.of("ps", "-o", "uid=,args=", "-C", "sleep")).out().split("\n")) {
                if (line.strip().endsWith("sleep 642")) hostUid = line.strip().split("\\s+")[0];
            }
            if (hostUid.isEmpty()) Thread.sleep(100);
        }
        assertEquals(String.valueOf(base + 999), hostUid);

        Host.Result logs = jrun("logs", "web");
        assertEquals("out\n", logs.out(), logs.describe());
        assertTrue(logs.err().contains("err\n"), logs.describe());

        // stop: the trap's exit status is recorded; the log keeps what it said on the way out.
        ok("stop", "web");
        JsonNode stopped = entry("web");
        assertEquals("exited", stopped.get("State").asText(), stopped.toString());
        assertEquals(7, stopped.get("ExitCode").asInt(), stopped.toString());
        assertTrue(stopped.get("Status").asText().startsWith("Exited (7)"), stopped.toString());
        assertEquals("7\n", ok("wait", "web"));
        assertEquals("out\nbye\n", ok("logs", "web"));
        assertTrue(ok("logs", "--tail", "1", "web").equals("bye\n"));
        // Stopping a stopped container is no error, as podman.
        ok("stop", "web");
        JsonNode inspect = new ObjectMapper().readTree(ok("inspect", "web")).get(0);
        assertEquals(id, inspect.get("Id").asText());
        assertEquals(7, inspect.get("State").get("ExitCode").asInt());
        assertEquals("0 " + alice.uid() + " 1", inspect.get("IDMappings").get("UidMap").get(0).asText());

        ok("rm", "web");
        assertEquals(0, psJson().size());
        assertEquals(List.of(), ImageEnv.names(store.resolve("containers")));
    }

    @Test
    void stopKillsAContainerThatIgnoresItsStopSignalAfterTheTimeout() throws Exception {
        ok("run", "-d", "--name", "stubborn", "--rootfs", rootfs, "sh", "-c",
                "trap '' TERM; echo lifecycle-probe >/dev/null; while true; do sleep 0.1; done");
        long start = System.nanoTime();
        ok("stop", "-t", "1", "stubborn");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 1000, "stopped after " + millis + " ms, before the timeout");
        assertEquals(137, entry("stubborn").get("ExitCode").asInt());
    }

    @Test
    void badRequestsAreRefusedAsPodmanRefusesThem() throws Exception {
        ok("run", "-d", "--name", "dup", "--rootfs", rootfs, "sh", "-c", TRAPPING);
        Host.Result taken = jrun("run", "-d", "--name", "dup", "--rootfs", rootfs, "true");
        assertEquals(125, taken.exit(), taken.describe());
        assertTrue(taken.err().contains("the container name \"dup\" is already in use"), taken.describe());

        Host.Result unknown = jrun("logs", "nosuch");
        assertEquals(125, unknown.exit(), unknown.describe());
        assertTrue(unknown.err().contains("no container with name or ID \"nosuch\" found"), unknown.describe());

        Host.Result running = jrun("rm", "dup");
        assertEquals(2, running.exit(), running.describe());
        assertTrue(running.err().contains("as it is running"), running.describe());

        ok("stop", "dup");
        Host.Result exec = jrun("exec", "dup", "true");
        assertEquals(125, exec.exit(), exec.describe());
        assertTrue(exec.err().contains("can only create exec sessions on running containers"), exec.describe());

        // An exec failure in run -d gives podman's status and leaves nothing.
        Host.Result notFound = jrun("run", "-d", "--name", "broken", "--rootfs", rootfs, "no-such-command");
        assertEquals(127, notFound.exit(), notFound.describe());
        assertEquals(null, entry("broken"));
    }

    @Test
    void aMonitorKilledWithSigkillLeavesAnExitedContainerThatRmRemoves() throws Exception {
        ok("run", "-d", "--name", "orphan", "--rootfs", rootfs, "sh", "-c", TRAPPING);
        JsonNode state = new ObjectMapper().readTree(ok("inspect", "orphan")).get(0).get("State");
        int monitor = state.get("ConmonPid").asInt();
        int pid = state.get("Pid").asInt();
        // What stays beside a running container is small, as podman's conmon (about 2 MB).
        String rss = Host.check("sh", "-c", "grep VmRSS /proc/" + monitor + "/status");
        long kb = Long.parseLong(rss.replaceAll("[^0-9]", ""));
        assertTrue(kb <= 2048, "jrun-monitor's resident size: " + rss);

        Host.check("kill", "-KILL", String.valueOf(monitor));
        for (int i = 0; i < 50 && Files.exists(Path.of("/proc/" + pid)); i++) Thread.sleep(100);
        JsonNode orphan = entry("orphan");
        assertEquals("exited", orphan.get("State").asText(), orphan.toString());
        assertTrue(orphan.get("Status").asText().startsWith("Exited (unknown)"), orphan.toString());
        ok("rm", "orphan");
        assertEquals(List.of(), ImageEnv.names(store.resolve("containers")));
    }

    @Test
    void logsFollowUntilTheContainerEndsAndRmRunsAfterItEnded() throws Exception {
        ok("run", "-d", "--name", "counter", "--rootfs", rootfs, "sh", "-c",
                "for i in 1 2 3; do echo line$i; sleep 0.3; done; echo lifecycle-probe >/dev/null");
        assertEquals("line1\nline2\nline3\n", ok("logs", "-f", "counter"));
        assertEquals("0\n", ok("wait", "counter"));

        ok("run", "-d", "--rm", "--name", "gone", "--rootfs", rootfs, "sh", "-c", "echo lifecycle-probe >/dev/null");
        for (int i = 0; i < 50 && entry("gone") != null; i++) Thread.sleep(100);
        assertEquals(null, entry("gone"), "a --rm container is removed by its monitor when it ends");
        assertFalse(ok("ps", "-a").contains("gone"));
    }

    @Test
    void aStoppedContainerStartsAgainOnItsOwnFilesAndPruneRemovesStoppedOnes() throws Exception {
        ok("run", "-d", "--name", "again", "--rootfs", rootfs, "sh", "-c",
                "echo lifecycle-probe >/dev/null; echo run; exit 3");
        assertEquals("3\n", ok("wait", "again"));
        // start -a: attached, the container's output and exit status are jrun's.
        Host.Result attached = jrun("start", "-a", "again");
        assertEquals(3, attached.exit(), attached.describe());
        assertTrue(attached.out().startsWith("run\n"), attached.describe());
        ok("start", "again");
        assertEquals("3\n", ok("wait", "again"));
        assertEquals("run\nrun\nrun\n", ok("logs", "again"));

        ok("run", "-d", "--name", "keeps-running", "--rootfs", rootfs, "sh", "-c", TRAPPING);
        String pruned = ok("container", "prune");
        assertEquals(1, pruned.lines().count(), pruned);
        assertEquals(null, entry("again"));
        assertEquals("running", entry("keeps-running").get("State").asText());
    }

    /**
     * Without -t the container's streams are pipes: a container given the caller's terminal
     * could read what the user types into their shell afterwards (issue 11). Run under a
     * pseudo-terminal with script(1), as from an interactive shell.
     */
    @Test
    void withoutATerminalOptionTheContainerGetsNoneOfTheCallersTerminal() {
        String command = String.join(" ", TestInstall.command(alice.name(), "--root", store.toString(), "run", "--rm",
                "--rootfs", rootfs, "sh", "-c",
                "'for fd in 0 1 2; do [ -t $fd ] && echo $fd-terminal; readlink /proc/self/fd/$fd; done; echo done'"));
        Host.Result r = Host.run(List.of("script", "-qec", command, "/dev/null"), TestInstall.dir().toFile(), 60);
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("done"), r.describe());
        assertFalse(r.out().contains("-terminal"), r.describe());
        assertFalse(r.out().contains("/dev/pts"), r.describe());
    }

    /** A full disk stops the log, not the container; jrun logs says the log is incomplete. */
    @Test
    void aFullDiskStopsTheLogButNotTheContainer() throws Exception {
        Path small = Files.createTempDirectory("jrun-lifecycle-full-");
        Host.check("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700,uid=" + alice.uid(), "tmpfs", small.toString());
        Path saved = store;
        store = small;
        try {
            ok("run", "-d", "--name", "loud", "--rootfs", rootfs, "sh", "-c",
                    "i=0; while [ $i -lt 4000 ]; do echo line-$i-of-some-length-to-fill-the-disk; i=$((i+1)); done;"
                    + " echo lifecycle-probe >/dev/null; sleep 600");
            for (int i = 0; i < 100 && !Files.exists(small.resolve("containers")); i++) Thread.sleep(50);
            Thread.sleep(2000);
            JsonNode loud = entry("loud");
            assertEquals("running", loud.get("State").asText(), "the container must outlive its log: " + loud);
            Host.Result logs = jrun("logs", "loud");
            assertEquals(0, logs.exit(), logs.describe());
            assertTrue(logs.out().startsWith("line-0-of"), logs.describe());
            assertTrue(logs.err().contains("the log is incomplete"), logs.describe());
            ok("rm", "-f", "loud");
        } finally {
            store = saved;
            Host.run(List.of("umount", "-l", small.toString()));
            Host.run(List.of("rmdir", small.toString()));
        }
    }

    /** Two rm -f at once: the container goes once, neither command leaves anything behind. */
    @Test
    void twoRemovalsAtOnceRemoveItOnce() throws Exception {
        ok("run", "-d", "--name", "twice", "--rootfs", rootfs, "sh", "-c", TRAPPING);
        List<String> base = new ArrayList<>(TestInstall.command(alice.name(), "--root", store.toString(), "rm", "-f", "twice"));
        Process first = new ProcessBuilder(base).directory(TestInstall.dir().toFile()).redirectErrorStream(true).start();
        Process second = new ProcessBuilder(base).directory(TestInstall.dir().toFile()).redirectErrorStream(true).start();
        int a = first.waitFor();
        int b = second.waitFor();
        String said = new String(first.getInputStream().readAllBytes()) + new String(second.getInputStream().readAllBytes());
        assertTrue(a == 0 || b == 0, said);
        for (int status : new int[] {a, b}) {
            assertTrue(status == 0 || (status == 125 && said.contains("no container with name or ID")), said);
        }
        assertEquals(0, psJson().size());
        assertEquals(List.of(), ImageEnv.names(store.resolve("containers")));
    }

    /** ps and inspect show the ports a container publishes, as podman's PORTS column does. */
    @Test
    void publishedPortsAreListed() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ok("run", "-d", "--name", "pub", "-p", port + ":80", "--rootfs", rootfs, "sh", "-c", TRAPPING);
        String published = "0.0.0.0:" + port + "->80/tcp";
        assertEquals(published, entry("pub").get("Ports").get(0).asText());
        assertTrue(ok("ps").contains(published), ok("ps"));
        JsonNode inspect = new ObjectMapper().readTree(ok("inspect", "pub")).get(0);
        assertEquals(published, inspect.get("NetworkSettings").get("Ports").get(0).asText());
    }
}
