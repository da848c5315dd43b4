package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.util.ArrayList;
import java.util.List;

/**
 * pasta(1) in PID mode, as podman runs it: it joins the container's user and network namespace,
 * creates and configures the tap interface (--config-net) and forwards the published ports.
 *
 * <p>Lifetime: Debian 12's pasta quits by itself only when a namespace <em>file</em> it was given
 * is deleted (--netns PATH, inotify); in PID mode it would stay after the container. So it runs
 * in the foreground (-f: no detached PID namespace of its own) as a child of the container's
 * jrun-monitor, which ends it with the container ({@link #prepare}).
 */
final class PastaHelper {
    private PastaHelper() {}

    /** pasta's PID file, a pipe: it writes its PID there once it is ready (pasta(1), -P). */
    static final String READY_FILE = "/dev/fd/3";

    /** A helper that is not ready by then is stopped (it normally takes well under a second). */
    static final long READY_TIMEOUT_MILLIS = 30_000;

    /**
     * pasta's command line but for its last argument, the container's PID, which jrun-monitor
     * appends ({@link HelperLaunch}).
     *
     * @param callerIsRoot jrun runs as root (CI, root's own containers)
     */
    static List<String> argv(NetworkMode.Pasta mode, List<PortMapping> ports, boolean callerIsRoot) {
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
     * Debian 12's pasta has no exit descriptor and, given a PID, does not notice its target's end
     * (it quits by itself only when a namespace <em>file</em> it watches is deleted, pasta(1)
     * --no-netns-quit; passt 2023-03). So the container's monitor owns it: it forks pasta before
     * the container exists, so pasta is its child with PR_SET_PDEATHSIG(SIGKILL) and dies with it
     * (also when the monitor is killed); it SIGKILLs pasta when the container ends. That holds for
     * a foreground and a detached container alike. Here, once the ID maps are written, the JVM
     * sends the container's PID (pasta starts), waits for pasta's PID file line (ready: the
     * namespace is configured and the ports are bound) and keeps what it wrote on stderr for an
     * error message. A pasta that fails or hangs makes the start fail; the starter then kills the
     * monitor, and with it pasta. Once this JVM is gone its stderr has no reader: pasta ignores
     * SIGPIPE (SigIgn in /proc/PID/status), so a late message is lost, not fatal.
     */
    static NetworkAttacher.Pending prepare(Syscalls sys, NetworkMode.Pasta mode, List<PortMapping> ports)
            throws JrunException {
        List<Integer> opened = new ArrayList<>();
        try {
            int[] stderr = pipe(sys, opened);
            int[] ready = pipe(sys, opened);
            int[] start = pipe(sys, opened);
            HelperLaunch launch = new HelperLaunch(argv(mode, ports, sys.getuid() == 0), List.of(stderr[1], ready[1]),
                    start[0]);
            List<Integer> mine = List.copyOf(opened);
            opened.clear();
            return new MonitorOwned(sys, launch, stderr, ready, start, ports, mine);
        } finally {
            for (int fd : opened) sys.close(fd);
        }
    }

    private static int[] pipe(Syscalls sys, List<Integer> opened) throws JrunException {
        try {
            int[] p = sys.pipe();
            opened.add(p[0]);
            opened.add(p[1]);
            return p;
        } catch (SysException e) {
            throw new JrunException("create a pipe for pasta: " + e.getMessage() + "; too many open files? (ulimit -n)", e);
        }
    }

    /** One container's pasta, between the monitor's start and pasta's ready line. */
    private static final class MonitorOwned implements NetworkAttacher.Pending {
        private final Syscalls sys;
        private final HelperLaunch launch;
        private final int[] stderr;
        private final int[] ready;
        private final int[] start;
        private final List<PortMapping> ports;
        private final List<Integer> open;

        MonitorOwned(Syscalls sys, HelperLaunch launch, int[] stderr, int[] ready, int[] start, List<PortMapping> ports,
                     List<Integer> open) {
            this.sys = sys;
            this.launch = launch;
            this.stderr = stderr;
            this.ready = ready;
            this.start = start;
            this.ports = ports;
            this.open = new ArrayList<>(open);
        }

        @Override
        public List<Integer> monitorHolds() {
            return List.of();
        }

        @Override
        public java.util.Optional<HelperLaunch> monitorStarts() {
            return java.util.Optional.of(launch);
        }

        @Override
        public void attach(List<PortMapping> published, int pid) throws JrunException {
            // The monitor has its copies by now: ours go, so that pasta's end shows as EOF.
            close(stderr[1]);
            close(ready[1]);
            close(start[0]);
            int stderrReader = stderr[0];
            synchronized (this) {
                open.remove(Integer.valueOf(stderrReader));   // HelperOutput closes it at pasta's end
            }
            HelperOutput output = HelperOutput.drain(sys, stderrReader, "jrun-pasta-stderr");
            try {
                sys.write(start[1], java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder())
                        .putInt(pid).array());
            } catch (SysException e) {
                throw new JrunException("start pasta through jrun-monitor: " + e.getMessage(), e);
            } finally {
                close(start[1]);
            }
            String line = readLine(sys, ready[0], READY_TIMEOUT_MILLIS);
            close(ready[0]);
            if (line.isEmpty()) throw Failures.helperFailed("pasta", output.textAfterEnd(2000), ports);
        }

        @Override
        public void abort() {
            // The starter kills the monitor, and the monitor's death kills pasta (PR_SET_PDEATHSIG).
        }

        @Override
        public void close() {
            for (int fd : List.copyOf(open)) close(fd);
        }

        private synchronized void close(int fd) {
            if (open.remove(Integer.valueOf(fd))) sys.close(fd);
        }
    }

    /**
     * The PID line pasta writes when ready; empty if it ended first (EOF: the pipe's only other
     * copy is its fd 3) or is not ready after {@code millis}.
     */
    private static String readLine(Syscalls sys, int fd, long millis) {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            sys.setNonBlocking(fd);
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = sys.read(fd, one);
                } catch (SysException e) {
                    if (e.errno() != dev.jrun.sys.Linux.EAGAIN) return "";
                    Thread.sleep(2);
                    continue;
                }
                if (n != 1) return "";
                if (one[0] == '\n') return sb.toString();
                sb.append((char) one[0]);
            }
        } catch (SysException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

}
