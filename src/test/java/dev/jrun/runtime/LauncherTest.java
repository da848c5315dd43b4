package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.network.Attachment;
import dev.jrun.runtime.network.ContainersConf;
import dev.jrun.runtime.network.NetworkAttacher;
import dev.jrun.runtime.network.NetworkMode;
import dev.jrun.runtime.network.NetworkPlanner;
import dev.jrun.runtime.network.PortMapping;
import java.util.Optional;
import dev.jrun.sys.Linux;
import dev.jrun.sys.Op;
import dev.jrun.sys.RecordingSyscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir Path tmp;
    final RecordingSyscalls sys = new RecordingSyscalls();
    final List<String> mapWrites = Collections.synchronizedList(new ArrayList<>());

    private LaunchPlan plan(List<String> command) throws Exception {
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, sys, w -> { }).plan(Fixtures.spec(Fixtures.rootfs(tmp.resolve("root")), command));
    }

    private Launcher launcher() {
        return new Launcher(sys, (pid, userns) -> {
            mapWrites.add(pid + ": " + userns.uidMap().procText().strip().replace('\n', ','));
            sys.calls.add("maps written for " + pid);
        });
    }

    /** A user-namespace task that ends in exec, as `jrun unshare` runs one. */
    private int runExec(Launcher launcher, List<String> candidates) throws Exception {
        return launcher.runInUserNamespace(plan(List.of("true")).userNamespace(), Linux.CLONE_NEWNS,
                List.of(new Op.Exec(candidates, List.of("x"), List.of())));
    }

    @Test
    void mapsAreWrittenBetweenThePidReportAndGoThenTheExitStatusIsReturned() throws Exception {
        sys.waitStatus = 42 << 8;
        assertEquals(42, runExec(launcher(), List.of("/bin/true")));
        assertEquals(List.of("4242: 0 1000 1,1 100000 65536"), mapWrites);
        List<String> calls = sys.calls;
        assertTrue(calls.indexOf("maps written for 4242") < calls.indexOf("child: go"), calls.toString());
        assertEquals("waitpid 4242", calls.get(calls.size() - 1));
        assertEquals(Linux.CLONE_NEWUSER | Linux.CLONE_NEWNS, sys.spawnedFlags);
    }

    @Test
    void commandNotFoundIs127AndNotExecutableIs126() throws Exception {
        sys.failAt = ops -> ops.size() - 1;
        sys.failErrno = Linux.ENOENT;
        JrunException notFound = assertThrows(JrunException.class, () -> runExec(launcher(), List.of("/nosuch")));
        assertEquals(127, notFound.exitCode());
        assertTrue(sys.calls.contains("waitpid 4242"), "the failed child is reaped");

        sys.failErrno = Linux.EACCES;
        assertEquals(126, assertThrows(JrunException.class, () -> runExec(launcher(), List.of("/x"))).exitCode());
        sys.failErrno = Linux.ENOEXEC;
        assertEquals(126, assertThrows(JrunException.class, () -> runExec(launcher(), List.of("/x"))).exitCode());
    }

    @Test
    void aSetupFailureNamesTheOperationAndIs125() throws Exception {
        sys.failAt = ops -> {
            int setuid = 0;
            while (!(ops.get(setuid) instanceof Op.SetResUid)) setuid++;
            return setuid;
        };
        sys.failErrno = Linux.EINVAL;
        JrunException e = assertThrows(JrunException.class, () -> runExec(launcher(), List.of("/bin/true")));
        assertEquals(125, e.exitCode());
        assertTrue(e.getMessage().contains("errno 22"), e.getMessage());
    }

    @Test
    void aFailedMapWriteReleasesNothingAndIsReported() throws Exception {
        Launcher failing = new Launcher(sys, (pid, userns) -> {
            throw new JrunException("newuidmap 4242 0 1000 1 failed (exit 1): newuidmap: write to uid_map failed");
        });
        JrunException e = assertThrows(JrunException.class, () -> runExec(failing, List.of("/bin/true")));
        assertTrue(e.getMessage().contains("write to uid_map failed"));
        assertTrue(sys.calls.contains("child: no go, exit"), sys.calls.toString());
        assertTrue(sys.calls.contains("waitpid 4242"));
    }

    @Test
    void aUserNamespaceTaskRunsAPlanThatEndsInExit() throws Exception {
        LaunchPlan plan = plan(List.of("true"));
        sys.waitStatus = 3 << 8;
        List<Op> ops = List.of(new Op.FchownAt(Linux.AT_FDCWD, "/x", 1, 1, Linux.AT_SYMLINK_NOFOLLOW, "/x"),
                new Op.Exit(0));
        assertEquals(3, launcher().runInUserNamespace(plan.userNamespace(), Linux.CLONE_NEWNS, ops));
        List<Op> spawned = sys.spawnedOps;
        assertEquals(ops, spawned.subList(spawned.size() - 2, spawned.size()));
        assertEquals(new Op.SetResUid(0), spawned.get(2));
        assertTrue(spawned.stream().anyMatch(o -> o instanceof Op.CloseRange), "no JVM descriptor reaches the helper");
        assertEquals(Linux.CLONE_NEWNS | Linux.CLONE_NEWUSER, sys.spawnedFlags);
        assertThrows(IllegalArgumentException.class, () -> launcher().runInUserNamespace(plan.userNamespace(), 0,
                List.of(new Op.Chdir("/"))));
    }

    /** A plan with a private network whose helper "is installed" at /usr/bin/slirp4netns. */
    private LaunchPlan privateNetworkPlan() throws Exception {
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        NetworkPlanner net = new NetworkPlanner(ContainersConf.EMPTY, name -> Optional.of(Path.of("/usr/bin", name)),
                (mapping, port) -> port, Optional.of("192.0.2.2"), w -> { });
        RunSpec spec = Fixtures.spec(Fixtures.rootfs(tmp.resolve("root")), List.of("true"));
        spec = new RunSpec(spec.rootfs(), spec.image(), spec.command(), spec.entrypoint(), spec.env(), spec.envFiles(),
                spec.workdir(), spec.user(), spec.hostname(), spec.readOnly(), spec.volumes(),
                new Network(NetworkMode.parse("slirp4netns"), List.of(PortMapping.parse("8080:80")), false,
                        dev.jrun.runtime.network.DnsSettings.NONE, List.of()),
                spec.tty(), spec.interactive(), spec.usernsRemap(), spec.stopTimeoutSeconds());
        return new LaunchPlanner(host, sys, w -> { }, net).plan(spec);
    }

    private Launcher launcher(NetworkAttacher attacher) {
        return new Launcher(sys, (pid, userns) -> sys.calls.add("maps written for " + pid), attacher);
    }

    @Test
    void theNetworkHelperIsAttachedAfterTheMapsBeforeGoAndHeldUntilTheContainerIsReaped() throws Exception {
        NetworkAttacher attacher = (mode, ports, pid) -> {
            sys.calls.add("attach " + mode.getClass().getSimpleName() + " " + ports + " to " + pid);
            return new Attachment() {
                @Override
                public List<Integer> heldFds() {
                    return List.of(77);
                }

                @Override
                public void close() {
                    sys.calls.add("network released");
                }
            };
        };
        assertEquals(0, launcher(attacher).run(privateNetworkPlan()));
        List<String> calls = sys.calls;
        int attach = calls.indexOf("attach Slirp4netns [0.0.0.0:8080->80/tcp] to 4242");
        assertTrue(attach > calls.indexOf("maps written for 4242"), "the helper joins the mapped user namespace: " + calls);
        assertTrue(attach < calls.indexOf("child: go"), "the command finds the network up: " + calls);
        assertTrue(calls.indexOf("network released") > calls.indexOf("waitpid 4242"), calls.toString());
        assertTrue((sys.spawnedFlags & Linux.CLONE_NEWNET) != 0, "a network namespace of its own");
    }

    @Test
    void aHelperThatFailsStopsTheContainerBeforeItRuns() throws Exception {
        NetworkAttacher failing = (mode, ports, pid) -> {
            throw new JrunException("slirp4netns could not publish the ports [0.0.0.0:8080->80/tcp]");
        };
        JrunException e = assertThrows(JrunException.class, () -> launcher(failing).run(privateNetworkPlan()));
        assertEquals(125, e.exitCode());
        assertTrue(e.getMessage().contains("8080"), e.getMessage());
        assertTrue(sys.calls.contains("child: no go, exit"), sys.calls.toString());
        assertTrue(sys.calls.contains("waitpid 4242"), "the unreleased child is reaped");
    }
}
