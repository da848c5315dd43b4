package dev.jrun.container;

import static dev.jrun.sys.Linux.CLONE_NEWNET;
import static dev.jrun.sys.Linux.CLONE_NEWUSER;
import static dev.jrun.sys.Linux.O_CLOEXEC;
import static dev.jrun.sys.Linux.O_RDONLY;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.MonitorSpec;
import dev.jrun.runtime.network.NamespaceFile;
import dev.jrun.runtime.network.NetworkMode;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --network container:NAME} and {@code ns:PATH}: opens what the new container joins,
 * before it is planned, and keeps it open until jrun-monitor has entered it.
 *
 * <p>Every jrun container has a user namespace of its own, which owns its network namespace.
 * setns(2) into a network namespace needs CAP_SYS_ADMIN in the user namespace that owns it
 * (user_namespaces(7)); a rootless caller has that only inside it. So the monitor enters the
 * target's user namespace first, then its network namespace, and clones the new container there
 * with new mount, PID, UTS and IPC namespaces: no new user namespace and no ID maps to write,
 * since the target's has the caller's own map already (both are the same user's).
 */
final class NetworkJoins implements AutoCloseable {
    private final Syscalls sys;
    private final NetworkMode mode;
    private final List<MonitorSpec.Join> joins;

    private NetworkJoins(Syscalls sys, NetworkMode mode, List<MonitorSpec.Join> joins) {
        this.sys = sys;
        this.mode = mode;
        this.joins = List.copyOf(joins);
    }

    /** The mode to plan with: {@link NetworkMode.Joined} for container: and ns:, else {@code requested}. */
    NetworkMode mode() {
        return mode;
    }

    /** What the monitor enters before it clones the container. */
    List<MonitorSpec.Join> joins() {
        return joins;
    }

    /**
     * @param usernsRemap the new container's --userns-remap: it is created in the target's user
     *     namespace, so its planned ID map must be the target's
     */
    static NetworkJoins open(Engine engine, NetworkMode requested, Optional<String> usernsRemap) throws JrunException {
        Syscalls sys = engine.sys();
        if (requested instanceof NetworkMode.Namespace n) {
            var own = engine.planner().userNamespace(usernsRemap);
            NamespaceFile.Opened opened = NamespaceFile.open(sys, n.path(),
                    List.of(own.uidMap().procText(), own.gidMap().procText()));
            List<MonitorSpec.Join> joins = new ArrayList<>();
            opened.userns().ifPresent(fd -> joins.add(new MonitorSpec.Join(fd, CLONE_NEWUSER,
                    "the user namespace that owns " + n.path())));
            joins.add(new MonitorSpec.Join(opened.netns(), CLONE_NEWNET, "the network namespace " + n.path()));
            return new NetworkJoins(sys, new NetworkMode.Joined("ns:" + n.path(), opened.userns().isPresent(),
                    Optional.empty(), Optional.empty()), joins);
        }
        if (!(requested instanceof NetworkMode.Container c)) return new NetworkJoins(sys, requested, List.of());
        Containers containers = new Containers(engine);
        String asked = "--network container:" + c.nameOrId();
        ContainerStatus target;
        try {
            target = containers.find(c.nameOrId());
        } catch (JrunException e) {
            throw new JrunException(asked + ": " + e.getMessage() + "; give the name or ID of a running container "
                    + "(jrun ps)", e);
        }
        Optional<Integer> pidfd = containers.openMainProcess(target);
        if (pidfd.isEmpty()) {
            throw new JrunException(asked + ": container " + target.name() + " is not running (" + target.kind().word
                    + "), so it has no network namespace to share; start it first (jrun start " + target.name()
                    + ")");
        }
        NetworkJoins joined = null;
        try {
            ProcessDefaults theirs = containers.defaults(target);
            String ownUidMap = engine.planner().userNamespace(usernsRemap).uidMap().procText();
            if (!theirs.uidMap().strip().equals(ownUidMap.strip())) {
                throw new JrunException(asked + ": container " + target.name() + " has another ID map (its own "
                        + "--userns-remap), and a container that shares its network is created in its user "
                        + "namespace; run both with the same ID map");
            }
            joined = joinTarget(sys, target, pidfd.get(), theirs);
            return joined;
        } finally {
            if (joined == null) sys.close(pidfd.get());
        }
    }

    /**
     * The target's user and network namespaces, opened and checked. Opened by /proc/PID path, then
     * the pidfd is asked whether that process still lives: if it does, the files were its (a PID
     * is not reused while its process lives), so a container that ended meanwhile cannot hand us
     * another process's namespaces. Its processes may have made namespaces of their own (its root
     * may unshare(2) and write maps of its choosing), so the user namespace must be a child of
     * ours, as a jrun container's own is, and own the network namespace (ioctl_ns(2)
     * NS_GET_PARENT, NS_GET_USERNS). The pidfd is closed; the monitor gets the two namespaces.
     */
    private static NetworkJoins joinTarget(Syscalls sys, ContainerStatus target, int pidfd, ProcessDefaults theirs)
            throws JrunException {
        String what = "--network container:" + target.name();
        String proc = "/proc/" + target.state().get().pid() + "/ns/";
        List<Integer> opened = new ArrayList<>();
        boolean done = false;
        try {
            int userns = open(sys, proc + "user", opened, what);
            int netns = open(sys, proc + "net", opened, what);
            if (!alive(sys, pidfd)) {
                throw new JrunException(what + ": the container stopped while jrun joined it; start it again");
            }
            sys.close(pidfd);
            if (NamespaceFile.sameNamespace(netns, "/proc/self/ns/net")) {
                // It runs on the host's network (--network host), which its user namespace does not
                // own, so no setns(2) into it is allowed; what sharing it gives is the host's network.
                return new NetworkJoins(sys, new NetworkMode.Host(), List.of());
            }
            int parent = ioctl(sys, userns, NamespaceFile.NS_GET_PARENT, opened, what);
            int owner = ioctl(sys, netns, NamespaceFile.NS_GET_USERNS, opened, what);
            if (!NamespaceFile.sameNamespace(parent, "/proc/self/ns/user")
                    || !NamespaceFile.sameNamespace(owner, "/proc/self/fd/" + userns)) {
                throw new JrunException(what + ": its main process is in namespaces its processes made, not the "
                        + "ones jrun gave it; jrun joins only a container's own network (stop and start it)");
            }
            // Its /etc/hosts and resolv.conf as jrun wrote them (kept in its record), not read
            // through /proc/PID/root: a path there passes through directories its processes
            // control, and an absolute symlink among them would resolve in our root.
            NetworkJoins joined = new NetworkJoins(sys, new NetworkMode.Joined("container:" + target.id(), true,
                    Optional.of(theirs.hosts() == null ? "" : theirs.hosts()),
                    Optional.of(theirs.resolvConf() == null ? "" : theirs.resolvConf())),
                    List.of(new MonitorSpec.Join(userns, CLONE_NEWUSER, "the user namespace of container " + target.name()),
                            new MonitorSpec.Join(netns, CLONE_NEWNET, "the network namespace of container "
                                    + target.name())));
            opened.remove((Integer) userns);
            opened.remove((Integer) netns);
            done = true;
            return joined;
        } finally {
            for (int fd : opened) sys.close(fd);
            if (!done) sys.close(pidfd);
        }
    }

    private static int open(Syscalls sys, String path, List<Integer> opened, String what) throws JrunException {
        try {
            int fd = sys.open(path, O_RDONLY | O_CLOEXEC);
            opened.add(fd);
            return fd;
        } catch (SysException e) {
            throw new JrunException(what + ": open " + path + ": " + e.getMessage() + "; is the container still running?", e);
        }
    }

    private static int ioctl(Syscalls sys, int fd, long request, List<Integer> opened, String what) throws JrunException {
        try {
            int result = sys.nsIoctl(fd, request)[0];
            opened.add(result);
            return result;
        } catch (SysException e) {
            throw new JrunException(what + ": inspect its namespaces (ioctl_ns(2)): " + e.getMessage()
                    + "; is the container still running? (jrun ps)", e);
        }
    }

    private static boolean alive(Syscalls sys, int pidfd) {
        try {
            return sys.pidfdSignal(pidfd, 0);
        } catch (SysException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (MonitorSpec.Join j : joins) sys.close(j.fd());
    }
}
