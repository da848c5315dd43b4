package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import dev.jrun.sys.OpEncoder;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import dev.jrun.userns.UserNamespacePlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.jrun.timing.StartupTiming;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a container (or an exec session in one) under jrun-monitor, which becomes its parent,
 * so that no JVM needs to stay beside it.
 *
 * <p>The sequence, with its sync points:
 * <ol>
 *   <li>the JVM starts jrun-monitor in a session of its own with the descriptors it prepared;</li>
 *   <li>the monitor reads the encoded script and clones the container exactly as the JVM
 *       would (libjrun's jrun_spawn); the child reports its PID on the PID pipe and waits;</li>
 *   <li>the JVM records the PID ({@link Created}), writes the ID maps, and releases the child;</li>
 *   <li>the child runs its script; the monitor passes on {op index, errno} or "started".</li>
 * </ol>
 * A foreground run then turns the JVM into jrun-monitor's attach mode ({@link #attach}).
 */
public final class ContainerStarter {
    /** The monitor's status report for a container that exec'd; {pid} follows. */
    private static final int STARTED = -2;
    /** The monitor's status report when clone itself failed; {errno} follows. */
    private static final int CLONE_FAILED = -3;
    /** The monitor's status report when it could not enter a namespace to join (--join); {errno} follows. */
    private static final int JOIN_FAILED = -4;

    private final Syscalls sys;
    private final IdMapWriter maps;

    public ContainerStarter(Syscalls sys, IdMapWriter maps) {
        this.sys = sys;
        this.maps = maps;
    }

    /**
     * Told the container's PID before it runs anything, so its state is on disk first; then,
     * once its ID maps are written and before it is released, {@link #mapped} (the point where a
     * network helper joins its namespaces: the command must find the network configured).
     */
    @FunctionalInterface
    public interface Created {
        void created(int containerPid, int monitorPid) throws JrunException;

        default void mapped(int containerPid) throws JrunException {}
    }

    /** Compiles the child's script for the descriptor numbers it will have. */
    @FunctionalInterface
    public interface Script {
        List<Op> compile(ContainerScript.Descriptors fds, List<Integer> extraFds);
    }

    /**
     * @param monitorPid  the container's parent
     * @param containerPid the container's main process
     * @param parentFd    the JVM's end of the pipe whose closing ends the container (-1: none)
     */
    public record Started(int containerPid, int monitorPid, int parentFd) {}

    /** Starts a container from its plan. */
    public Started start(LaunchPlan plan, MonitorSpec spec, Created created) throws JrunException {
        long flags = ContainerScript.namespaceFlags(plan);
        // What the monitor enters is not made anew (--network container:, ns:). Created inside a
        // user namespace that exists and is mapped already, the container has no ID maps to write.
        for (MonitorSpec.Join j : spec.joins()) flags &= ~j.types();
        return start((fds, extra) -> ContainerScript.compile(plan, fds), flags,
                (flags & CLONE_NEWUSER) != 0 ? plan.userNamespace() : null, plan.stdio(), spec, List.of(), -1,
                created);
    }

    /**
     * The general form: {@code extraFds} are passed to the script at the numbers it is given;
     * {@code mainPidFd}, if not -1, is where a forking script reports the process to wait for.
     */
    public Started start(Script script, long namespaceFlags, UserNamespacePlan userns, StdioMode stdio,
                         MonitorSpec spec, List<Integer> extraFds, int mainPidFd, Created created)
            throws JrunException {
        Descriptors d = new Descriptors();
        try {
            return start(d, script, namespaceFlags, userns, stdio, spec, extraFds, mainPidFd, created);
        } finally {
            d.closeOwned();
        }
    }

    private Started start(Descriptors d, Script script, long namespaceFlags, UserNamespacePlan userns, StdioMode stdio,
                          MonitorSpec spec, List<Integer> extraFds, int mainPidFd, Created created)
            throws JrunException {
        int[] ops = d.pipe();
        int[] pid = d.pipe();
        int[] go = d.pipe();
        int[] err = d.pipe();
        int[] status = d.pipe();
        MonitorArgs args = new MonitorArgs(d);
        args.option("--ops", d.give(ops[0]));
        args.option("--ns-flags", namespaceFlags);
        int errW = d.give(err[1]);
        args.containerSide("--pid-w", d.give(pid[1]));
        args.containerSide("--go-r", d.give(go[0]));
        args.option("--err-r", d.give(err[0]));
        args.containerSide("--err-w", errW);
        args.option("--status", d.give(status[1]));

        int cStdin = -1, cStdout = -1, cStderr = -1, cTty = -1, cUserns = -1;
        boolean interactive = stdio.interactive();
        if (stdio.tty()) {
            int[] tty = d.socketPair();
            cTty = args.containerSide(null, d.give(tty[1]));
            args.option("--tty-socket", d.give(tty[0]));
            if (spec.attached()) args.option("--stdout-to", d.pass(spec.relay().stdout()));
        } else {
            if (interactive) {
                int[] in = d.pipe();
                cStdin = args.containerSide(null, d.give(in[0]));
                args.option("--stdin-to", d.give(in[1]));
            } else {
                cStdin = args.containerSide(null, d.give(d.open("/dev/null")));
            }
            int[] out = d.pipe();
            int[] errp = d.pipe();
            cStdout = args.containerSide(null, d.give(out[1]));
            cStderr = args.containerSide(null, d.give(errp[1]));
            args.option("--stdout-from", d.give(out[0]));
            args.option("--stderr-from", d.give(errp[0]));
            if (spec.attached()) {
                args.option("--stdout-to", d.pass(spec.relay().stdout()));
                args.option("--stderr-to", d.pass(spec.relay().stderr()));
            }
        }
        if (spec.attached() && interactive) args.option("--stdin-from", d.pass(spec.relay().stdin()));
        // The cleanup runs in the container's user namespace; a monitor that joined one is in it already.
        if (!spec.cleanup().isEmpty() && !spec.joinsUserNamespace()) {
            int[] ns = d.socketPair();
            cUserns = args.containerSide(null, d.give(ns[1]));
            args.option("--ns-socket", d.give(ns[0]));
        }
        int parentKeep = -1;
        if (spec.attached() || spec.watchParent()) {
            int[] parent = d.pipe();
            args.option("--parent-fd", d.give(parent[0]));
            parentKeep = parent[1];
        }
        if (mainPidFd >= 0) args.option("--main-pid-fd", d.pass(mainPidFd));
        List<Integer> extraTargets = new ArrayList<>();
        for (int fd : extraFds) extraTargets.add(args.containerSide(null, d.pass(fd)));
        for (int fd : spec.held()) args.option("--hold", d.pass(fd));
        if (spec.helper().isPresent()) {
            dev.jrun.runtime.network.HelperLaunch h = spec.helper().get();
            for (String a : h.argv()) args.option("--helper-arg", a);
            for (int fd : h.fds()) args.option("--helper-fd", d.pass(fd));
            args.option("--helper-start", d.pass(h.startFd()));
        }
        for (MonitorSpec.Join j : spec.joins()) {
            args.option("--join", d.pass(j.fd()));
            args.option("--join-type", j.types());
        }
        spec.log().ifPresent(p -> args.option("--log", p.toString()));
        spec.exitFile().ifPresent(p -> args.option("--exit-file", p.toString()));
        args.option("--stop-timeout", spec.stopTimeoutSeconds());
        if (spec.cleanupOnlyIfParentGone()) args.option("--cleanup-if-orphaned", 1);
        int nullFd = d.give(d.open("/dev/null"));

        int[] windowSize = spec.attached() && stdio.tty() ? sys.windowSize(spec.relay().stdin()) : null;
        List<Op> containerOps = script.compile(new ContainerScript.Descriptors(cStdin, cStdout, cStderr, cTty, cUserns,
                errW, d.firstFreeSlot(), windowSize), extraTargets);
        byte[] blob = OpEncoder.encode(containerOps);
        List<String> argv = args.argv(MonitorProgram.path().toString(), spec.cleanup());

        int monitorPid = new Launcher(sys, maps).spawnProcess((firstSlot, errFd) -> d.monitorScript(argv, nullFd, errFd));
        if (spec.attached()) {
            // From here on the caller's ^C or kill reaches the monitor, which passes it to the
            // container once it runs, instead of ending this JVM (and with it, the container) in
            // the moment before the JVM becomes the monitor's attach side.
            try {
                sys.forwardSignals(monitorPid, Launcher.FORWARDED, -1);
            } catch (SysException e) {
                sys.kill(monitorPid, SIGKILL);
                reap(monitorPid);
                throw new JrunException("forward signals to jrun-monitor: " + e.getMessage(), e);
            }
        }
        d.closeGiven();
        try {
            sys.write(ops[1], blob);
        } catch (SysException e) {
            throw monitorFailed(monitorPid, "hand the container's script to jrun-monitor: " + e.getMessage());
        } finally {
            d.close(ops[1]);
        }
        int containerPid = readPid(pid[0]);
        if (containerPid > 0) {
            try {
                created.created(containerPid, monitorPid);
                if (userns != null) maps.write(containerPid, userns);
                created.mapped(containerPid);
                sys.write(go[1], new byte[] {1});
            } catch (JrunException | SysException e) {
                // No maps, no go: the child ends at EOF on the go pipe; the monitor must not
                // record or clean up anything of a container that never ran.
                sys.kill(monitorPid, SIGKILL);
                d.close(go[1]);
                reap(monitorPid);
                if (e instanceof JrunException je) throw je;
                throw new JrunException("release the container after writing its ID maps: " + e.getMessage(), e);
            }
        }
        d.close(go[1]);
        int[] report = readReport(status[0]);
        if (report == null) throw monitorFailed(monitorPid, "jrun-monitor ended before it reported on the container");
        if (report[0] == STARTED) {
            if (parentKeep >= 0) d.keep(parentKeep);
            return new Started(report[1], monitorPid, parentKeep);
        }
        reap(monitorPid);
        if (report[0] == CLONE_FAILED) throw UserNamespaceErrors.cloneFailed(report[1], sys.strerror(report[1]));
        if (report[0] == JOIN_FAILED) {
            String what = spec.joins().stream().map(MonitorSpec.Join::what).distinct()
                    .collect(java.util.stream.Collectors.joining(" and "));
            throw new JrunException("join " + what + ": " + sys.strerror(report[1]) + " (setns(2)); if it ended "
                    + "meanwhile, start it again");
        }
        throw SetupErrors.failure(containerOps, report[0], report[1], sys.strerror(report[1]));
    }

    /**
     * Turns this process into jrun-monitor's attach mode: same PID, so the caller's signals and
     * exit status stay the caller's; the JVM is gone. Returns only if exec failed.
     */
    public JrunException attach(Started started, boolean tty) throws JrunException {
        try {
            // Until the new program has handlers, signals go to the monitor, which forwards them.
            sys.forwardSignals(started.monitorPid(), Launcher.FORWARDED, -1);
        } catch (SysException e) {
            // forwarding stays as it was: the attach program takes over in a moment
        }
        List<String> argv = List.of("jrun-monitor", "attach", Integer.toString(started.monitorPid()), tty ? "1" : "0",
                Integer.toString(started.parentFd()));
        // The JVM ends here (execve): JRUN_DEBUG_TIMING's line is now or never.
        StartupTiming.ended("spawn and maps");
        StartupTiming.report(System.err);
        SysException e = sys.exec(MonitorProgram.path().toString(), argv, List.of(),
                started.parentFd() >= 0 ? new int[] {started.parentFd()} : new int[0]);
        sys.kill(started.monitorPid(), SIGKILL);
        reap(started.monitorPid());
        return new JrunException("hand the container over to jrun-monitor: " + e.getMessage(), e);
    }

    private int readPid(int fd) {
        byte[] buf = new byte[4];
        return readFully(fd, buf) == 4 ? ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getInt() : -1;
    }

    private int[] readReport(int fd) {
        byte[] buf = new byte[8];
        if (readFully(fd, buf) != 8) return null;
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        return new int[] {b.getInt(), b.getInt()};
    }

    /** A failed read counts as a short one: the caller reports what did not come. */
    private int readFully(int fd, byte[] buf) {
        try {
            return sys.readFully(fd, buf);
        } catch (SysException e) {
            return 0;
        }
    }

    private JrunException monitorFailed(int monitorPid, String what) {
        sys.kill(monitorPid, SIGKILL);
        int status = reap(monitorPid);
        return new JrunException(what + " (its exit status " + ExitStatus.of(status) + "); run it again, and if it "
                + "keeps failing, rebuild jrun (mvn package): jrun-monitor may not match this jrun");
    }

    private int reap(int pid) {
        try {
            return sys.waitpid(pid);
        } catch (SysException e) {
            return 0;
        }
    }

    /** The monitor's command line, and which of its descriptors the container uses. */
    private static final class MonitorArgs {
        private final Descriptors d;
        private final List<String> argv = new ArrayList<>();

        MonitorArgs(Descriptors d) {
            this.d = d;
        }

        void option(String name, Object value) {
            argv.add(name);
            argv.add(String.valueOf(value));
        }

        /** A descriptor for the container only: the monitor closes its copy once it has cloned. */
        int containerSide(String name, int target) {
            if (name != null) option(name, target);
            option("--close", target);
            return target;
        }

        List<String> argv(String program, List<String> cleanup) {
            List<String> out = new ArrayList<>(List.of(program, "run"));
            out.addAll(argv);
            if (!cleanup.isEmpty()) {
                out.add("--");
                out.addAll(cleanup);
            }
            return out;
        }
    }

    /**
     * The JVM's descriptors for one start: which it created (closed at the end, unless kept),
     * and at which number each appears in the monitor.
     */
    private final class Descriptors {
        private final List<Integer> owned = new ArrayList<>();
        private final List<Integer> sources = new ArrayList<>();
        private final List<Integer> given = new ArrayList<>();
        private int base = -1;

        int[] pipe() throws JrunException {
            try {
                int[] p = sys.pipe();
                owned.add(p[0]);
                owned.add(p[1]);
                return p;
            } catch (SysException e) {
                throw new JrunException("create a pipe for the container: " + e.getMessage() + "; too many open files? "
                        + "(ulimit -n)", e);
            }
        }

        int[] socketPair() throws JrunException {
            try {
                int[] p = sys.socketPair();
                owned.add(p[0]);
                owned.add(p[1]);
                return p;
            } catch (SysException e) {
                throw new JrunException("create a socket pair for the container: " + e.getMessage(), e);
            }
        }

        int open(String path) throws JrunException {
            try {
                int fd = sys.open(path, O_RDWR);
                owned.add(fd);
                return fd;
            } catch (SysException e) {
                throw new JrunException("open " + path + ": " + e.getMessage(), e);
            }
        }

        /** A descriptor the monitor gets and the JVM no longer needs; its number in the monitor. */
        int give(int fd) {
            given.add(fd);
            return pass(fd);
        }

        /** A descriptor the monitor gets a copy of (jrun's own stdin/stdout/stderr); its number there. */
        int pass(int fd) {
            sources.add(fd);
            return target(sources.size() - 1);
        }

        /**
         * Numbers in the monitor start above every descriptor the JVM has given, so copying
         * one into place never overwrites another still to be copied. Known once all are
         * named; until then targets are placeholders resolved by {@link #target}.
         */
        private int target(int index) {
            return baseNumber() + index;
        }

        private int baseNumber() {
            if (base < 0) base = Math.max(256, highestOpenDescriptor() + 64);
            return base;
        }

        /** The JVM's highest open descriptor; the few this start creates stay below it + 64. */
        private int highestOpenDescriptor() {
            try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                return fds.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).max().orElse(2);
            } catch (java.io.IOException | NumberFormatException e) {
                return 1024;
            }
        }

        int firstFreeSlot() {
            return baseNumber() + sources.size() + 16;
        }

        List<Op> monitorScript(List<String> argv, int nullTarget, int errFd) {
            for (int fd : sources) {
                if (fd >= baseNumber()) {
                    throw new IllegalStateException("descriptor " + fd + " is above the monitor's range " + baseNumber());
                }
            }
            List<Op> ops = new ArrayList<>();
            // Its own session: the caller's terminal signals reach jrun (the attach side), which
            // forwards them; the monitor must not also get them from the terminal.
            ops.add(new Op.SetSid());
            for (int i = 0; i < sources.size(); i++) ops.add(new Op.Dup2(sources.get(i), target(i)));
            int[] keep = new int[sources.size() + 1];
            for (int i = 0; i < sources.size(); i++) keep[i] = target(i);
            keep[sources.size()] = errFd;
            ops.addAll(ContainerScript.closeAllBut(keep));
            for (int fd = 0; fd <= 2; fd++) ops.add(new Op.Dup2(nullTarget, fd));
            ops.add(new Op.Exec(List.of(argv.get(0)), argv, List.of()));
            return ops;
        }

        void keep(int fd) {
            owned.remove(Integer.valueOf(fd));
        }

        void close(int fd) {
            if (owned.remove(Integer.valueOf(fd))) sys.close(fd);
        }

        void closeGiven() {
            for (int fd : given) close(fd);
            given.clear();
        }

        void closeOwned() {
            for (int fd : owned) sys.close(fd);
            owned.clear();
        }
    }
}
