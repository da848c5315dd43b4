package dev.jrun.container;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.ContainerStarter;
import dev.jrun.runtime.ExecPlan;
import dev.jrun.runtime.ExecScript;
import dev.jrun.runtime.LaunchPlanner;
import dev.jrun.runtime.MonitorSpec;
import dev.jrun.runtime.ProcessIdentity;
import dev.jrun.runtime.RootFs;
import dev.jrun.runtime.RootfsView;
import dev.jrun.runtime.StdioMode;
import dev.jrun.runtime.UserResolver;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.IdMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `jrun exec`: a new process in all of a running container's namespaces, with its root, its
 * capabilities and environment, under a jrun-monitor of its own.
 */
public final class ContainerExec {
    private final Engine engine;
    private final Containers containers;

    public ContainerExec(Engine engine) {
        this.engine = engine;
        this.containers = new Containers(engine);
    }

    /** Runs the request; attached, this JVM becomes the exec's attach side and returns only on failure. */
    public void exec(ExecRequest request) throws JrunException {
        Session session = start(request, new MonitorSpec(!request.detach(), Optional.empty(), Optional.empty(),
                List.of(), 10, false));
        if (request.detach()) return;
        throw engine.starter().attach(session.started(), session.tty());
    }

    /** What an exec wrote and how it ended. */
    public record Captured(int exitCode, byte[] stdout, byte[] stderr) {}

    /**
     * An exec for a library caller: {@code stdin} is its whole input, its output is collected in
     * memory. The monitor is this JVM's child and exits with the process's status, so waiting
     * for it (and reaping it) gives the exit code; it ends the process if this JVM dies.
     */
    public Captured capture(ExecRequest request, byte[] stdin) throws JrunException {
        Syscalls sys = engine.sys();
        List<Integer> open = new ArrayList<>();
        try {
            int[] in = pipe(sys, open);
            int[] out = pipe(sys, open);
            int[] err = pipe(sys, open);
            ExecRequest piped = new ExecRequest(request.container(), request.command(), request.env(), request.user(),
                    request.workdir(), true, false, false);
            Session session = start(piped, new MonitorSpec(true, Optional.empty(), Optional.empty(), List.of(), 10, true,
                    List.of(), new MonitorSpec.Relay(in[0], out[1], err[1]), false));
            for (int fd : new int[] {in[0], out[1], err[1]}) close(sys, open, fd);
            Thread feeder = daemon("jrun-exec-stdin", () -> {
                try {
                    if (stdin.length > 0) sys.write(in[1], stdin);
                } catch (SysException e) {
                    // the process closed its stdin early: what it read is what it gets
                } finally {
                    close(sys, open, in[1]);
                }
            });
            var stdout = new java.io.ByteArrayOutputStream();
            Thread outReader = daemon("jrun-exec-stdout", () -> drain(sys, out[0], stdout));
            var stderr = new java.io.ByteArrayOutputStream();
            drain(sys, err[0], stderr);
            int status;
            try {
                status = sys.waitpid(session.started().monitorPid());
            } catch (SysException e) {
                throw new JrunException("wait for the exec in container " + request.container() + ": " + e.getMessage(), e);
            } finally {
                sys.close(session.started().parentFd());
            }
            join(outReader);
            join(feeder);
            return new Captured(dev.jrun.runtime.ExitStatus.of(status), stdout.toByteArray(), stderr.toByteArray());
        } finally {
            for (int fd : List.copyOf(open)) close(sys, open, fd);
        }
    }

    private static int[] pipe(Syscalls sys, List<Integer> open) throws JrunException {
        try {
            int[] p = sys.pipe();
            open.add(p[0]);
            open.add(p[1]);
            return p;
        } catch (SysException e) {
            throw new JrunException("create a pipe for jrun exec: " + e.getMessage() + "; too many open files? (ulimit -n)", e);
        }
    }

    private static void close(Syscalls sys, List<Integer> open, int fd) {
        synchronized (open) {
            if (open.remove(Integer.valueOf(fd))) sys.close(fd);
        }
    }

    private static void drain(Syscalls sys, int fd, java.io.ByteArrayOutputStream to) {
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = sys.read(fd, buf)) > 0) to.write(buf, 0, n);
        } catch (SysException e) {
            // the stream ends here
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Session(ContainerStarter.Started started, boolean tty) {}

    private Session start(ExecRequest request, MonitorSpec spec) throws JrunException {
        if (request.command().isEmpty()) throw new JrunException("jrun exec " + request.container() + ": give a command");
        ContainerStatus c = containers.find(request.container());
        if (!c.running()) {
            throw new JrunException("can only create exec sessions on running containers: container state improper ("
                    + c.name() + " is " + c.kind().word + "; jrun start is not there yet: run it again)");
        }
        ProcessDefaults defaults = containers.defaults(c);
        Syscalls sys = engine.sys();
        int pid = c.state().get().pid();
        int pidfd = containers.openMainProcess(c).orElseThrow(() -> new JrunException("container " + c.name()
                + " ended while jrun exec started"));
        int[] mainPid = null;
        try {
            ExecPlan plan = plan(request, c, defaults, pid);
            mainPid = sys.pipe();
            int mainPidWriter = mainPid[1];
            ContainerStarter.Started started = engine.starter().start(
                    (fds, extra) -> ExecScript.compile(plan, fds, extra.get(0), extra.get(1)), 0, null, plan.stdio(),
                    spec, List.of(pidfd, mainPidWriter), mainPid[0], (container, monitor) -> {});
            return new Session(started, plan.stdio().tty());
        } catch (SysException e) {
            throw new JrunException("jrun exec: " + e.getMessage(), e);
        } finally {
            sys.close(pidfd);
            if (mainPid != null) {
                sys.close(mainPid[0]);
                sys.close(mainPid[1]);
            }
        }
    }

    private ExecPlan plan(ExecRequest request, ContainerStatus c, ProcessDefaults defaults, int pid)
            throws JrunException {
        IdMap uidMap = parseMap(defaults.uidMap());
        IdMap gidMap = parseMap(defaults.gidMap());
        ProcessIdentity identity = request.user().isEmpty()
                ? new ProcessIdentity(defaults.uid(), defaults.gid(), defaults.groups(), "/")
                // The container's own /etc/passwd, seen through its root (/proc/PID/root);
                // RootfsView follows no symlink there, so a hostile image cannot point it at ours.
                : new UserResolver(new RootfsView(new RootFs.Directory(Path.of("/proc", Integer.toString(pid), "root"))))
                        .resolve(request.user(), uidMap, gidMap);
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : defaults.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        if (request.user().isPresent()) env.put("HOME", identity.home());
        for (String e : request.env()) {
            int eq = e.indexOf('=');
            if (eq == 0) throw new JrunException("--env " + e + ": expected KEY=VALUE or KEY");
            if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            else if (System.getenv(e) != null) env.put(e, System.getenv(e));
        }
        if (request.tty()) env.putIfAbsent("TERM", "xterm");
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        String workdir = request.workdir().orElse(defaults.workdir());
        if (!workdir.startsWith("/")) throw new JrunException("--workdir " + workdir + ": give an absolute path");
        StdioMode stdio = request.tty() ? (request.interactive() ? StdioMode.TTY_INTERACTIVE : StdioMode.TTY)
                : request.interactive() ? StdioMode.INHERIT : StdioMode.NO_STDIN;
        long namespaces = namespacesOf(pid);
        return new ExecPlan(namespaces, identity, defaults.setgroupsAllowed(), defaults.droppedCapabilities(), workdir,
                LaunchPlanner.executableCandidates(request.command().get(0), env.getOrDefault("PATH", "")),
                request.command(), envList, stdio, defaults.security());
    }

    /**
     * The namespaces the container does not share with us. Joining one we share (the host's
     * network with --network host) would need privilege over it in the container's user
     * namespace, which nobody there has (setns(2): EPERM), and change nothing.
     */
    private static long namespacesOf(int pid) throws JrunException {
        Map<String, Long> types = Map.of("user", CLONE_NEWUSER, "mnt", CLONE_NEWNS, "pid", CLONE_NEWPID,
                "uts", CLONE_NEWUTS, "ipc", CLONE_NEWIPC, "net", CLONE_NEWNET);
        long out = 0;
        for (Map.Entry<String, Long> t : types.entrySet()) {
            try {
                Path theirs = Path.of("/proc", Integer.toString(pid), "ns", t.getKey());
                Path ours = Path.of("/proc/self/ns", t.getKey());
                if (!java.nio.file.Files.readSymbolicLink(theirs).equals(java.nio.file.Files.readSymbolicLink(ours))) {
                    out |= t.getValue();
                }
            } catch (java.io.IOException e) {
                throw new JrunException("read the namespaces of container process " + pid + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static IdMap parseMap(String text) throws JrunException {
        List<IdMapping> out = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            try {
                out.add(new IdMapping(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
            } catch (RuntimeException e) {
                throw new JrunException("the container's recorded ID map \"" + line + "\" is unreadable; remove the "
                        + "container and run it again");
            }
        }
        return new IdMap(out);
    }
}
