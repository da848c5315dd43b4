package dev.jrun.container;

import static dev.jrun.sys.Linux.CLONE_NEWNET;
import static dev.jrun.sys.Linux.CLONE_NEWUSER;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.MonitorSpec;
import dev.jrun.runtime.RootFs;
import dev.jrun.runtime.RootfsView;
import dev.jrun.runtime.network.NamespaceFile;
import dev.jrun.runtime.network.NetworkMode;
import dev.jrun.sys.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    /** The most of the target's /etc/hosts or resolv.conf that is copied. */
    private static final int ETC_LIMIT = 1 << 20;

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
            int pid = target.state().get().pid();
            if (sharesOurNetwork(pid)) {
                // It runs on the host's network (--network host), which its user namespace does not
                // own, so no setns(2) into it is allowed; what sharing it gives is the host's network.
                sys.close(pidfd.get());
                joined = new NetworkJoins(sys, new NetworkMode.Host(), List.of());
                return joined;
            }
            // Its files as it sees them, through its root; RootfsView follows no symlink there, so
            // a container cannot point us at a file of ours.
            RootfsView root = new RootfsView(new RootFs.Directory(Path.of("/proc", Integer.toString(pid), "root")));
            joined = new NetworkJoins(sys, new NetworkMode.Joined("container:" + target.id(), true,
                    Optional.of(etcFile(root, "/etc/hosts")), Optional.of(etcFile(root, "/etc/resolv.conf"))),
                    List.of(new MonitorSpec.Join(pidfd.get(), CLONE_NEWUSER | CLONE_NEWNET,
                            "the user and network namespace of container " + target.name())));
            return joined;
        } finally {
            if (joined == null) sys.close(pidfd.get());
        }
    }

    private static boolean sharesOurNetwork(int pid) throws JrunException {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net"))
                    .equals(java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        } catch (IOException e) {
            throw new JrunException("read the network namespace of container process " + pid + ": " + e.getMessage(), e);
        }
    }

    private static String etcFile(RootfsView root, String path) {
        try {
            return root.read(path, ETC_LIMIT).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        } catch (IOException e) {
            return "";   // it has none we may read: as podman with an image without the file
        }
    }

    @Override
    public void close() {
        for (MonitorSpec.Join j : joins) sys.close(j.fd());
    }
}
