package dev.jrun.runtime;

import java.util.List;

/**
 * A process to start in a running container (`jrun exec`), decided before anything happens.
 *
 * @param namespaces the CLONE_NEW* types to join through the container's pidfd
 */
public record ExecPlan(long namespaces, ProcessIdentity identity, boolean setgroupsAllowed,
                       List<Integer> droppedCapabilities, String workdir, List<String> executableCandidates,
                       List<String> argv, List<String> env, StdioMode stdio, ContainerSecurity security) {
    public ExecPlan {
        droppedCapabilities = List.copyOf(droppedCapabilities);
        executableCandidates = List.copyOf(executableCandidates);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
    }
}
