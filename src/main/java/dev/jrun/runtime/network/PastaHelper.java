package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * pasta(1) in PID mode, as podman runs it: it joins the container's user and network namespace,
 * creates and configures the tap interface (--config-net) and forwards the published ports.
 *
 * <p>Lifetime: Debian 12's pasta quits by itself only when a namespace <em>file</em> it was given
 * is deleted (--netns PATH, inotify); in PID mode it would stay after the container. So it runs
 * in the foreground (-f: our child, no detached PID namespace) and {@link HelperProcess} ties it
 * to jrun (PR_SET_PDEATHSIG) and ends it when the container ends.
 */
final class PastaHelper {
    private PastaHelper() {}

    /** pasta's PID file, a pipe: it writes its PID there once it is ready (pasta(1), -P). */
    static final String READY_FILE = "/dev/fd/3";

    /** A helper that is not ready by then is stopped (it normally takes well under a second). */
    static final long READY_TIMEOUT_MILLIS = 30_000;

    /** @param callerIsRoot jrun runs as root (CI, root's own containers) */
    static List<String> argv(NetworkMode.Pasta mode, List<PortMapping> ports, int pid, boolean callerIsRoot) {
        List<String> user = mode.options();
        List<String> argv = new ArrayList<>();
        argv.add(mode.binary().toString());
        argv.add("--config-net");
        argv.add("--foreground");
        if (!user.contains("-d") && !user.contains("--debug")) argv.add("--quiet");
        // Started as root, pasta(1) changes to "nobody" (--runas), who may not open a root-owned
        // container's /proc/PID/ns/user. Root asked for this container: pasta stays the caller,
        // and still sandboxes itself (its own namespaces, capabilities dropped, seccomp).
        if (callerIsRoot) addAll(argv, "--runas", "0:0");
        for (PortMapping p : ports) {
            argv.add(p.protocol().equals("udp") ? "-u" : "-t");
            argv.add(spec(p));
        }
        List<String> rest = new ArrayList<>(user);
        boolean mapGateway = rest.remove("--map-gw");   // podman's option, not pasta's
        argv.addAll(rest);
        // pasta's defaults are "auto": -T/-U auto would make every port bound on the host's
        // loopback reachable on the container's loopback, which a private network must not do;
        // -t/-u auto would publish whatever the container binds. podman passes none for each.
        if (!has(argv, "-t", "--tcp-ports")) addAll(argv, "-t", "none");
        if (!has(argv, "-u", "--udp-ports")) addAll(argv, "-u", "none");
        if (!has(argv, "-T", "--tcp-ns")) addAll(argv, "-T", "none");
        if (!has(argv, "-U", "--udp-ns")) addAll(argv, "-U", "none");
        // The gateway address would otherwise lead to the host's loopback (pasta(1), --no-map-gw).
        if (!mapGateway && !argv.contains("--no-map-gw")) argv.add("--no-map-gw");
        addAll(argv, "--pid", READY_FILE);
        argv.add(Integer.toString(pid));
        return argv;
    }

    /** pasta's port syntax: [ADDRESS/]FIRST-LAST:FIRST-LAST. */
    static String spec(PortMapping p) {
        String address = p.hostIp().map(a -> a + "/").orElse("");
        return address + p.hostPort() + "-" + (p.hostPort() + p.count() - 1) + ":" + p.containerPort() + "-"
                + (p.containerPort() + p.count() - 1);
    }

    private static boolean has(List<String> argv, String shortName, String longName) {
        for (String a : argv) {
            if (a.equals(shortName) || a.equals(longName) || a.startsWith(longName + "=")) return true;
        }
        return false;
    }

    private static void addAll(List<String> argv, String... more) {
        argv.addAll(List.of(more));
    }

    /**
     * Pasta has no descriptor to tie its life to, so it gets PR_SET_PDEATHSIG, spawned from the
     * thread that starts the container: that thread then execs jrun-monitor's attach side, and a
     * thread that execs lives on (execve(2) ends only the others), so pasta lives until the
     * attach side ends with the container. A detached container outlives every jrun thread:
     * not yet for pasta (the planner picks slirp4netns for -d by default).
     */
    static NetworkAttacher.Pending prepare(Syscalls sys, NetworkMode.Pasta mode, boolean detached)
            throws JrunException {
        if (detached) {
            throw new JrunException("--network pasta with -d: not yet: pasta cannot be tied to a detached "
                    + "container's life; use --network slirp4netns (the default for -d when it is installed)");
        }
        return new NetworkAttacher.Pending() {
            private HelperProcess helper;

            @Override
            public List<Integer> monitorHolds() {
                return List.of();
            }

            @Override
            public void attach(List<PortMapping> ports, int pid) throws JrunException {
                helper = start(sys, mode, ports, pid);
            }

            @Override
            public void abort() {
                if (helper != null) helper.stop();
            }

            @Override
            public void close() {}
        };
    }

    private static HelperProcess start(Syscalls sys, NetworkMode.Pasta mode, List<PortMapping> ports, int pid)
            throws JrunException {
        int[] ready;
        try {
            ready = sys.pipe();
        } catch (SysException e) {
            throw new JrunException("create pasta's ready pipe: " + e.getMessage(), e);
        }
        HelperProcess helper;
        try {
            helper = HelperProcess.startHere(sys, "pasta", argv(mode, ports, pid, sys.getuid() == 0), List.of(ready[1]));
        } catch (JrunException e) {
            sys.close(ready[0]);
            sys.close(ready[1]);
            throw e;
        }
        sys.close(ready[1]);
        java.util.concurrent.atomic.AtomicBoolean isReady = new java.util.concurrent.atomic.AtomicBoolean();
        helper.stopUnlessReady(isReady, READY_TIMEOUT_MILLIS);
        String line;
        try {
            line = readLine(sys, ready[0]);
            isReady.set(!line.isEmpty());
        } finally {
            sys.close(ready[0]);
        }
        if (line.isEmpty()) {
            helper.awaitExit(2000);
            helper.stop();
            throw Failures.helperFailed("pasta", helper.output(), ports);
        }
        return helper;
    }

    /** The PID line pasta writes when ready; empty if it ended first (the pipe's other copy is its fd 3). */
    private static String readLine(Syscalls sys, int fd) {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        try {
            while (sys.read(fd, one) == 1) {
                if (one[0] == '\n') return sb.toString();
                sb.append((char) one[0]);
            }
        } catch (SysException e) {
            return "";
        }
        return "";
    }
}
