package dev.jrun.runtime.network;

import static dev.jrun.sys.Linux.SIGKILL;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.ChildProgram;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A network helper that the JVM starts (slirp4netns; pasta is jrun-monitor's, see
 * {@link HelperLaunch}) by jrun's own spawn primitive, so that it gets exactly the descriptors it
 * is given (stdin and stdout /dev/null, stderr a pipe jrun reads, then {@code childFds} as 3, 4,
 * ...) and nothing of the JVM's.
 *
 * <p>Its lifetime is tied to a descriptor it was given (slirp4netns's --exit-fd), not to the
 * JVM: it gets no parent-death signal, which would also come when the JVM execs the monitor's
 * attach side (its other threads end, prctl(2)). A thread of its own spawns it and reaps it;
 * {@link #stop} ends it.
 */
final class HelperProcess {

    private final Syscalls sys;
    private final String name;
    private final CompletableFuture<Integer> started = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private volatile HelperOutput output;
    private volatile boolean reaped;

    private HelperProcess(Syscalls sys, String name) {
        this.sys = sys;
        this.name = name;
    }

    /**
     * Starts {@code argv} (argv[0] an absolute path); returns once it runs. {@code childFds} are
     * jrun's descriptors the helper gets as 3, 4, ...; jrun keeps its own copies.
     */
    static HelperProcess start(Syscalls sys, String name, List<String> argv, List<Integer> childFds)
            throws JrunException {
        HelperProcess helper = new HelperProcess(sys, name);
        Thread parent = new Thread(() -> helper.spawnAndReap(argv, childFds), "jrun-" + name);
        parent.setDaemon(true);
        parent.start();
        try {
            helper.started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JrunException j) throw j;
            throw new JrunException("start " + name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            helper.stop();
            throw new JrunException("start " + name + ": interrupted", e);
        }
        return helper;
    }

    int pid() {
        return started.join();
    }

    /** What the helper wrote on stderr so far (the last {@value HelperOutput#LIMIT} characters). */
    String output() {
        HelperOutput out = output;
        return out == null ? "" : out.text();
    }

    /** Its wait status once it has ended, or empty if it still runs after {@code millis}. */
    java.util.Optional<Integer> awaitExit(long millis) {
        try {
            return java.util.Optional.of(exited.get(millis, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } catch (ExecutionException e) {
            return java.util.Optional.of(-1);
        }
    }

    boolean running() {
        return !exited.isDone();
    }

    /**
     * Stops the helper if {@code ready} is not set within {@code millis}: whoever waits for its
     * ready signal then sees end of file instead of waiting for ever on a helper that hangs.
     */
    void stopUnlessReady(java.util.concurrent.atomic.AtomicBoolean ready, long millis) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            if (!ready.get()) {
                HelperOutput out = output;
                if (out != null) out.append("\n(jrun: not ready after " + millis / 1000 + " s, stopped)");
                stop();
            }
        }, "jrun-" + name + "-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Ends the helper and waits until it is reaped. SIGKILL at once: the container it served has
     * ended, and neither helper keeps anything that a clean exit would save (pasta took ~40 ms to
     * handle SIGTERM, time every run paid).
     */
    void stop() {
        if (!started.isDone() || started.isCompletedExceptionally()) return;
        signal(SIGKILL);
        awaitExit(5000);
    }

    private void signal(int signal) {
        // Only before the reaper has collected it: after that the PID may be someone else's.
        if (!reaped && !exited.isDone()) sys.kill(started.join(), signal);
    }

    private void spawnAndReap(List<String> argv, List<Integer> childFds) {
        int pid;
        try {
            pid = spawn(argv, childFds);
        } catch (JrunException e) {
            started.completeExceptionally(e);
            exited.complete(-1);
            return;
        } catch (RuntimeException e) {
            started.completeExceptionally(new JrunException("start " + name + ": " + e, e));
            exited.complete(-1);
            return;
        }
        started.complete(pid);
        reap(pid);
    }

    private void reap(int pid) {
        int status;
        try {
            status = sys.waitpid(pid);
        } catch (SysException e) {
            status = -1;
        }
        reaped = true;
        exited.complete(status);
    }

    private int spawn(List<String> argv, List<Integer> childFds) throws JrunException {
        ChildProgram.Started child;
        try {
            child = ChildProgram.start(sys, argv, childFds, false, false);
        } catch (SysException e) {
            throw new JrunException("start " + name + " (" + argv.get(0) + "): " + e.getMessage()
                    + (ChildProgram.notInstalled(e) ? "; is " + argv.get(0) + " installed and executable?" : ""), e);
        }
        output = HelperOutput.drain(sys, child.output(), "jrun-" + name + "-stderr");
        return child.pid();
    }
}
