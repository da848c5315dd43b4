package dev.jrun.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real backend this JVM picks, against the real kernel: JNA on JDK 17-21, Panama on 22+
 * (CI runs this on both). Runs from the packaged jar (failsafe), which holds the Panama
 * classes when the build had a JDK 22+.
 */
class SyscallsBackendIT {
    final Syscalls sys = SyscallsFactory.create();

    @Test
    void theBackendFollowsTheJdk() {
        String expected = System.getProperty("jrun.syscalls", System.getenv("JRUN_SYSCALLS"));
        if (expected == null || expected.isEmpty()) expected = Runtime.version().feature() >= 22 ? "panama" : "jna";
        assertEquals(expected, SyscallsFactory.backend());
        assertEquals(expected.equals("panama") ? "PanamaSyscalls" : "JnaSyscalls", sys.getClass().getSimpleName());
    }

    @Test
    void idsAreTheProcesssOwn() throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        String gid = status.lines().filter(l -> l.startsWith("Gid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertEquals(Integer.parseInt(uid), sys.getuid());
        assertEquals(Integer.parseInt(gid), sys.getgid());
    }

    @Test
    void aPipeCarriesBytesAndEndsInEndOfFile() throws Exception {
        int[] p = sys.pipe();
        sys.write(p[1], new byte[] {1, 2, 3});
        sys.close(p[1]);
        byte[] buf = new byte[8];
        assertEquals(3, sys.read(p[0], buf));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(buf, 3));
        assertEquals(0, sys.read(p[0], buf));
        sys.close(p[0]);
    }

    @Test
    void errorsCarryErrnoAndTheCLibrarysMessage() {
        SysException e = assertThrows(SysException.class, () -> sys.open("/nonexistent/jrun-test", Linux.O_RDONLY));
        assertEquals(Linux.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertEquals("Operation not permitted", sys.strerror(Linux.EPERM));
    }

    @Test
    void aDuplicateReadsTheSameFileAndANonBlockingPipeSaysSoWhenFull() throws Exception {
        int fd = sys.open("/proc/self/stat", Linux.O_RDONLY);
        int copy = sys.dup(fd);
        assertNotEquals(fd, copy);
        assertTrue(sys.read(copy, new byte[16]) > 0);
        sys.close(fd);
        sys.close(copy);

        int[] p = sys.pipe();
        sys.setNonBlocking(p[1]);
        SysException full = assertThrows(SysException.class, () -> {
            for (int i = 0; i < 1024; i++) sys.write(p[1], new byte[4096]);
        });
        assertEquals(11 /* EAGAIN */, full.errno());
        sys.close(p[0]);
        sys.close(p[1]);
    }

    @Test
    void aPipeIsNoTerminal() throws Exception {
        int[] p = sys.pipe();
        assertFalse(sys.isatty(p[0]));
        assertNull(sys.windowSize(p[0]));
        assertNull(sys.makeRaw(p[0]));
        int[] s = sys.socketPair();
        assertEquals(2, s.length);
        for (int fd : new int[] {p[0], p[1], s[0], s[1]}) sys.close(fd);
        assertFalse(sys.hasXattr("/", "user.jrun-test-absent"));
    }

    /** libjrun's spawn without namespaces: the child reports its PID, waits for go, runs its script. */
    @Test
    void spawnRunsTheScriptAfterGo() throws Exception {
        int[] pid = sys.pipe();
        int[] go = sys.pipe();
        int[] err = sys.pipe();
        sys.write(go[1], new byte[] {1});   // go at once: spawn returns only once the child is done
        int child = sys.spawn(List.of(new Op.Exit(7)), 0, pid[1], go[0], go[1], err[1]);
        sys.close(pid[1]);
        sys.close(go[0]);
        sys.close(go[1]);
        sys.close(err[1]);
        byte[] reported = new byte[4];
        assertEquals(4, sys.read(pid[0], reported));
        assertEquals(child, ByteBuffer.wrap(reported).order(ByteOrder.nativeOrder()).getInt());
        assertEquals(0, sys.read(err[0], new byte[8]), "the script reported a failure");
        assertEquals(7 << 8, sys.waitpid(child));
        sys.close(pid[0]);
        sys.close(err[0]);
    }

    @Test
    void forwardedSignalsAreNoted() throws Exception {
        int[] notify = sys.pipe();
        try {
            sys.forwardSignals(0, new int[] {Linux.SIGWINCH}, notify[1]);
            sys.kill((int) ProcessHandle.current().pid(), Linux.SIGWINCH);
            byte[] b = new byte[1];
            assertEquals(1, sys.read(notify[0], b));
            assertEquals(Linux.SIGWINCH, b[0]);
        } finally {
            sys.forwardSignals(0, new int[] {Linux.SIGWINCH}, -1);
            sys.close(notify[0]);
            sys.close(notify[1]);
        }
    }
}
