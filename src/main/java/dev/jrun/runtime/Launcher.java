package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import dev.jrun.userns.UserNamespacePlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Starts children from this JVM with libjrun's spawn: short tasks in a new user namespace
 * (applying an image's file ownership, `jrun unshare`) and jrun-monitor itself, which then
 * starts containers ({@link ContainerStarter}).
 *
 * <p>The launch has two sync points: the child reports its PID and waits while a second thread
 * writes its ID maps; then the child runs its script and either execs (its error pipe closes
 * with nothing on it) or reports {operation index, errno}.
 */
public final class Launcher {
    /** Signals sent to jrun that reach the container, as podman's --sig-proxy. */
    static final int[] FORWARDED = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

    private final Syscalls sys;
    private final IdMapWriter maps;

    public Launcher(Syscalls sys, IdMapWriter maps) {
        this.sys = sys;
        this.maps = maps;
    }

    /**
     * Runs a short script in a new user namespace (plus {@code namespaceFlags}) with the given
     * maps and waits for it: a plan that ends in {@link Op.Exit} (e.g. applying an image's file
     * ownership as the mapped IDs) or in {@link Op.Exec} of a host tool. Returns its exit status.
     */
    public int runInUserNamespace(UserNamespacePlan userns, long namespaceFlags, List<Op> ops) throws JrunException {
        Op last = ops.isEmpty() ? null : ops.get(ops.size() - 1);
        if (!(last instanceof Op.Exit || last instanceof Op.Exec)) {
            throw new IllegalArgumentException("a user-namespace task must end in Op.Exit or Op.Exec");
        }
        Started child = spawn((firstSlot, errFd) -> {
            List<Op> script = new java.util.ArrayList<>(ContainerScript.becomeNamespaceRoot(userns));
            script.add(new Op.ParentDeathSignal(SIGKILL));
            script.addAll(ContainerScript.closeAllBut(errFd));
            script.addAll(ops);
            return script;
        }, namespaceFlags | CLONE_NEWUSER, userns);
        try {
            return ExitStatus.of(sys.waitpid(child.pid));
        } catch (SysException e) {
            throw new JrunException("wait for the user-namespace helper: " + e.getMessage(), e);
        }
    }

    private record Started(int pid) {}

    /**
     * Kills a child whose ID maps could not be written. Closing our end of its go pipe is not
     * always enough: a child spawned meanwhile by another thread (a parallel pull) holds a copy
     * of that write end until its own script closes inherited descriptors, so EOF may come
     * late. It is not reaped yet, so the PID is still this child's.
     */
    private void stopUnmapped(int pid) {
        if (pid > 0) sys.kill(pid, SIGKILL);
        UNRELEASED.remove(pid);
    }

    /**
     * Children still waiting for their ID maps. If jrun exits meanwhile (another layer of a
     * parallel pull failed first), such a child would wait for ever: it has not yet set its
     * parent-death signal and holds its own go pipe open. Killed at exit.
     */
    private static final java.util.Map<Integer, Syscalls> UNRELEASED = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> UNRELEASED.forEach((pid, sys) -> sys.kill(pid, SIGKILL)),
                "jrun-kill-unreleased"));
    }

    /**
     * Starts a plain child process (no new namespaces) that runs {@code script}, which must end
     * in exec; returns its PID once it has exec'd.
     */
    int spawnProcess(Script script) throws JrunException {
        return spawn(script, 0, null).pid;
    }

    /** The child's operations, given the first descriptor number free for its own and its error pipe. */
    @FunctionalInterface
    interface Script {
        List<Op> compile(int firstSlot, int errFd);
    }

    /**
     * @param script compiled once the sync pipes exist: its own descriptors go above every one
     *     the child still needs (stdin, sockets, sync pipes)
     */
    private Started spawn(Script script, long namespaceFlags, UserNamespacePlan userns) throws JrunException {
        int[] pidPipe = pipe("the PID pipe");
        int[] goPipe = pipe("the go pipe");
        int[] errPipe = pipe("the error pipe");
        int highest = IntStream.of(pidPipe[0], pidPipe[1], goPipe[0], goPipe[1], errPipe[0], errPipe[1]).max().orElse(2);
        List<Op> ops = script.compile(Math.max(highest, 100) + 16, errPipe[1]);
        AtomicReference<JrunException> mapFailure = new AtomicReference<>();
        Thread mapper = new Thread(() -> {
            int pid = -1;
            try {
                byte[] buf = new byte[4];
                if (sys.readFully(pidPipe[0], buf) < 4) return;   // clone failed; spawn reports it
                pid = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getInt();
                UNRELEASED.put(pid, sys);
                if (userns != null) maps.write(pid, userns);
                sys.write(goPipe[1], new byte[] {1});
                UNRELEASED.remove(pid);
            } catch (JrunException e) {
                mapFailure.set(e);
                stopUnmapped(pid);
            } catch (SysException e) {
                mapFailure.set(new JrunException("release the container after writing its ID maps: " + e.getMessage(), e));
                stopUnmapped(pid);
            } finally {
                // End of file tells a waiting child that no maps are coming; it exits (libjrun
                // closes the child's own copy of this end before it waits).
                sys.close(goPipe[1]);
            }
        }, "jrun-idmap");
        mapper.start();
        int pid;
        try {
            pid = sys.spawn(ops, namespaceFlags, pidPipe[1], goPipe[0], goPipe[1], errPipe[1]);
        } catch (SysException e) {
            closeAll(pidPipe[1], goPipe[0], errPipe[1]);
            join(mapper);
            closeAll(pidPipe[0], errPipe[0]);
            throw UserNamespaceErrors.cloneFailed(e.errno(), sys.strerror(e.errno()));
        }
        closeAll(pidPipe[1], goPipe[0], errPipe[1]);
        join(mapper);
        sys.close(pidPipe[0]);
        byte[] report = new byte[8];
        int n;
        try {
            n = sys.readFully(errPipe[0], report);
        } catch (SysException e) {
            n = 0;
        } finally {
            sys.close(errPipe[0]);
        }
        if (mapFailure.get() != null) {
            reap(pid);
            throw mapFailure.get();
        }
        if (n == 8) {
            ByteBuffer b = ByteBuffer.wrap(report).order(ByteOrder.nativeOrder());
            int index = b.getInt();
            int errno = b.getInt();
            reap(pid);
            throw SetupErrors.failure(ops, index, errno, sys.strerror(errno));
        }
        return new Started(pid);
    }

    private int[] pipe(String what) throws JrunException {
        try {
            return sys.pipe();
        } catch (SysException e) {
            throw new JrunException("create " + what + ": " + e.getMessage()
                    + "; too many open files? (ulimit -n)", e);
        }
    }


    private void reap(int pid) {
        try {
            sys.waitpid(pid);
        } catch (SysException ignored) {
            // already gone
        }
    }

    private void closeAll(int... fds) {
        for (int fd : fds) sys.close(fd);
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
