package dev.jrun.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A kernel in memory for unit tests: records every call, and plays the child's side of the
 * launch protocol (report PID, wait for "go", then exec or fail as scripted).
 */
public final class RecordingSyscalls implements Syscalls {
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    public volatile List<Op> spawnedOps;
    public volatile long spawnedFlags;
    /** Every spawn's operations and namespace flags, in order (spawnedOps is the last). */
    public final List<List<Op>> allSpawnedOps = Collections.synchronizedList(new ArrayList<>());
    public final List<Long> allSpawnedFlags = Collections.synchronizedList(new ArrayList<>());

    /** What the simulated child does after "go": exec succeeds, or the op this picks fails with {@link #failErrno}. */
    public volatile java.util.function.ToIntFunction<List<Op>> failAt;
    public volatile int failErrno;
    public volatile int childPid = 4242;
    public volatile int waitStatus = 0;

    private final Map<Integer, LinkedBlockingQueue<Integer>> pipes = new HashMap<>();
    private final Map<Integer, Integer> writeEndToReadEnd = new HashMap<>();
    private int nextFd = 10;
    private static final int EOF = -1;

    @Override
    public SysException exec(String path, List<String> argv, List<String> env, int[] keep) {
        calls.add("exec " + path + " " + argv);
        return new SysException("execute " + path, 2, "No such file or directory");
    }

    @Override
    public int pidfdOpen(int pid) {
        calls.add("pidfd_open " + pid);
        return nextFdForPidfd();
    }

    private synchronized int nextFdForPidfd() {
        return nextFd++;
    }

    @Override
    public boolean pidfdSignal(int pidfd, int signal) {
        calls.add("pidfd_send_signal " + pidfd + " " + signal);
        return true;
    }

    @Override public int getuid() { return 1000; }
    @Override public int getgid() { return 1000; }

    @Override
    public synchronized int[] pipe() {
        int r = nextFd++;
        int w = nextFd++;
        pipes.put(r, new LinkedBlockingQueue<>());
        writeEndToReadEnd.put(w, r);
        calls.add("pipe " + r + " " + w);
        return new int[] {r, w};
    }

    @Override
    public synchronized int open(String path, long flags) {
        int fd = nextFd++;
        calls.add("open " + path + " = " + fd);
        return fd;
    }

    @Override
    public void close(int fd) {
        if (fd < 0) return;
        LinkedBlockingQueue<Integer> q;
        synchronized (this) {
            Integer r = writeEndToReadEnd.remove(fd);
            q = r == null ? null : pipes.get(r);
        }
        if (q != null) q.add(EOF);
    }

    @Override
    public int read(int fd, byte[] buf) {
        LinkedBlockingQueue<Integer> q;
        synchronized (this) {
            q = pipes.get(fd);
        }
        if (q == null) return 0;
        try {
            int n = 0;
            Integer b = q.poll(10, TimeUnit.SECONDS);
            if (b == null) throw new AssertionError("read on fd " + fd + " timed out");
            if (b == EOF) {
                q.add(EOF);
                return 0;
            }
            buf[n++] = (byte) (int) b;
            while (n < buf.length && q.peek() != null && q.peek() != EOF) buf[n++] = (byte) (int) q.poll();
            return n;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void write(int fd, byte[] buf) {
        LinkedBlockingQueue<Integer> q;
        synchronized (this) {
            q = pipes.get(writeEndToReadEnd.get(fd));
        }
        for (byte b : buf) q.add(b & 0xff);
    }

    @Override
    public int spawn(List<Op> ops, long namespaceFlags, int pidFd, int goFd, int goWriterFd, int errFd)
            throws SysException {
        spawnedOps = List.copyOf(ops);
        spawnedFlags = namespaceFlags;
        allSpawnedOps.add(spawnedOps);
        allSpawnedFlags.add(namespaceFlags);
        calls.add("spawn " + ops.size() + " ops");
        write(pidFd, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(childPid).array());
        byte[] go = new byte[1];
        if (read(goFd, go) != 1) {
            calls.add("child: no go, exit");
            close(errFd);
            return childPid;
        }
        calls.add("child: go");
        if (failAt != null) {
            write(errFd, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                    .putInt(failAt.applyAsInt(ops)).putInt(failErrno).array());
        }
        return childPid;
    }

    @Override
    public int waitpid(int pid) {
        calls.add("waitpid " + pid);
        return waitStatus;
    }

    @Override public void kill(int pid, int signal) { calls.add("kill " + pid + " " + signal); }

    @Override
    public void forwardSignals(int pid, int[] signals, int notifyFd) {
        calls.add("forward signals to " + pid);
    }

    @Override
    public synchronized int[] socketPair() {
        int a = nextFd++;
        int b = nextFd++;
        calls.add("socketpair " + a + " " + b);
        return new int[] {a, b};
    }

    @Override
    public int receiveFd(int socket) {
        calls.add("receive terminal on " + socket);
        return 99;
    }

    @Override public int[] windowSize(int fd) { return null; }
    @Override public void setWindowSize(int fd, int rows, int cols) { calls.add("resize " + rows + "x" + cols); }
    @Override public boolean isatty(int fd) { return false; }
    @Override public byte[] makeRaw(int fd) { return null; }
    @Override public void restoreTerminal(int fd, byte[] saved) { }
    @Override public String strerror(int errno) { return "errno " + errno; }
    /** Whether files carry file capabilities (security.capability), e.g. newuidmap. */
    public volatile boolean fileCapabilities = true;

    /** The last rules compiled; the program is a fixed allow-everything filter. */
    public volatile SeccompRules compiledSeccomp;

    @Override
    public SeccompProgram compileSeccomp(SeccompRules rules) {
        calls.add("compile seccomp " + rules.rules().size() + " rules");
        compiledSeccomp = rules;
        // BPF_RET|BPF_K SECCOMP_RET_ALLOW, little endian: {code 0x0006, jt 0, jf 0, k 0x7fff0000}
        return new SeccompProgram(new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f});
    }

    @Override public boolean hasXattr(String path, String name) { return fileCapabilities; }

    @Override
    public synchronized int[] nsIoctl(int fd, long request) {
        calls.add("ioctl " + fd + " " + Long.toHexString(request));
        return new int[] {0, 0};
    }

    @Override
    public synchronized int dup(int fd) {
        int copy = nextFd++;
        calls.add("dup " + fd + " = " + copy);
        return copy;
    }

    @Override
    public void setNonBlocking(int fd) {
        calls.add("nonblocking " + fd);
    }
}
