package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
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

}
