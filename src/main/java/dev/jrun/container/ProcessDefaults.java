package dev.jrun.container;

import dev.jrun.runtime.LaunchPlan;
import java.util.List;

/**
 * What a container's processes get, kept in its record for {@code jrun exec} and shown by
 * {@code jrun inspect}: the environment, working directory and identity of its command, the
 * capabilities it lost, its stop signal, the ID maps of its user namespace, its published ports,
 * its network mode as podman spells it, and the /etc/hosts and /etc/resolv.conf jrun gave it
 * (what a container that joins its network gets; null in records written before each was kept).
 */
public record ProcessDefaults(List<String> env, String workdir, long uid, long gid, List<Long> groups,
                              List<Integer> droppedCapabilities, int stopSignal, String uidMap, String gidMap,
                              boolean setgroupsAllowed, List<Mount> mounts, byte[] seccompBpf, String seccompSource,
                              boolean noNewPrivileges, List<String> ports, String networkMode, String hosts,
                              String resolvConf) {
    /** A volume as inspect shows it. */
    public record Mount(String source, String destination, boolean readOnly) {}

    public ProcessDefaults {
        env = List.copyOf(env);
        groups = List.copyOf(groups);
        droppedCapabilities = List.copyOf(droppedCapabilities);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    static ProcessDefaults of(LaunchPlan plan) {
        return new ProcessDefaults(plan.env(), plan.workdir(), plan.identity().uid(), plan.identity().gid(),
                plan.identity().supplementaryGroups(), plan.droppedCapabilities(), plan.stopSignal(),
                plan.userNamespace().uidMap().procText(), plan.userNamespace().gidMap().procText(),
                plan.userNamespace().setgroupsAllowed(),
                plan.volumes().stream().map(v -> new Mount(v.hostPath().toString(), v.containerPath(), v.readOnly()))
                        .toList(),
                plan.security().seccomp().map(f -> f.program().bpf()).orElse(null),
                plan.security().seccomp().map(f -> f.source()).orElse(null), plan.security().noNewPrivileges(),
                plan.network().ports().stream().map(ProcessDefaults::published).toList(),
                plan.network().mode().spelling(), etcFile(plan, "/etc/hosts"), etcFile(plan, "/etc/resolv.conf"));
    }

    private static String etcFile(LaunchPlan plan, String path) {
        return plan.etcFiles().stream().filter(f -> f.path().equals(path)).findFirst()
                .map(f -> new String(f.content(), java.nio.charset.StandardCharsets.UTF_8)).orElse(null);
    }

    /** A published port as podman's ps shows it: 0.0.0.0:8080->80/tcp (ranges one by one). */
    private static String published(dev.jrun.runtime.network.PortMapping m) {
        String ip = m.hostIp().orElse("0.0.0.0");
        if (m.count() == 1) return ip + ":" + m.hostPort() + "->" + m.containerPort() + "/" + m.protocol();
        return ip + ":" + m.hostPort() + "-" + (m.hostPort() + m.count() - 1) + "->" + m.containerPort() + "-"
                + (m.containerPort() + m.count() - 1) + "/" + m.protocol();
    }

    /** What an exec'd process gets of the container's security: its seccomp filter and no_new_privs. */
    dev.jrun.runtime.ContainerSecurity security() {
        java.util.Optional<dev.jrun.seccomp.SeccompFilter> filter = seccompBpf == null ? java.util.Optional.empty()
                : java.util.Optional.of(new dev.jrun.seccomp.SeccompFilter(new dev.jrun.sys.SeccompProgram(seccompBpf),
                        seccompSource));
        return new dev.jrun.runtime.ContainerSecurity(filter, noNewPrivileges, List.of());
    }
}
