package dev.jrun.container;

import dev.jrun.runtime.LaunchPlan;
import java.util.List;

/**
 * What a container's processes get, kept in its record for {@code jrun exec} and shown by
 * {@code jrun inspect}: the environment, working directory and identity of its command, the
 * capabilities it lost, its stop signal, and the ID maps of its user namespace.
 */
public record ProcessDefaults(List<String> env, String workdir, long uid, long gid, List<Long> groups,
                              List<Integer> droppedCapabilities, int stopSignal, String uidMap, String gidMap,
                              boolean setgroupsAllowed, List<Mount> mounts) {
    /** A volume as inspect shows it. */
    public record Mount(String source, String destination, boolean readOnly) {}

    public ProcessDefaults {
        env = List.copyOf(env);
        groups = List.copyOf(groups);
        droppedCapabilities = List.copyOf(droppedCapabilities);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    static ProcessDefaults of(LaunchPlan plan) {
        return new ProcessDefaults(plan.env(), plan.workdir(), plan.identity().uid(), plan.identity().gid(),
                plan.identity().supplementaryGroups(), plan.droppedCapabilities(), plan.stopSignal(),
                plan.userNamespace().uidMap().procText(), plan.userNamespace().gidMap().procText(),
                plan.userNamespace().setgroupsAllowed(),
                plan.volumes().stream().map(v -> new Mount(v.hostPath().toString(), v.containerPath(), v.readOnly()))
                        .toList());
    }
}
