package dev.jrun.runtime;

import dev.jrun.userns.UserNamespacePlan;
import java.util.List;

/**
 * Everything about one container launch, decided before anything happens. The container
 * script ({@link ContainerScript}) is compiled from this and nothing else.
 *
 * @param hostUts the container shares the host's UTS namespace and keeps its hostname
 *     (podman with --network host and no --hostname)
 * @param scratchTmpfs --read-only's writable /tmp, /var/tmp and /run (podman's --read-only-tmpfs)
 * @param tmpfsMounts the user's --tmpfs and --mount type=tmpfs
 * @param mtabLink /etc/mtab is missing and becomes a link to /proc/mounts, as podman makes it
 */
public record LaunchPlan(
        RootFs rootfs,
        UserNamespacePlan userNamespace,
        Network network,
        String hostname,
        List<String> argv,
        List<String> executableCandidates,
        List<String> env,
        String workdir,
        ProcessIdentity identity,
        boolean readOnlyRoot,
        List<Volume> volumes,
        List<EtcFile> etcFiles,
        StdioMode stdio,
        List<Integer> droppedCapabilities,
        List<String> maskedFiles,
        List<String> maskedDirectories,
        List<String> readOnlyPaths,
        int stopSignal,
        int stopTimeoutSeconds,
        ContainerSecurity security,
        boolean hostUts,
        List<TmpfsMount> scratchTmpfs,
        List<TmpfsMount> tmpfsMounts,
        boolean mtabLink) {

    public LaunchPlan {
        argv = List.copyOf(argv);
        executableCandidates = List.copyOf(executableCandidates);
        env = List.copyOf(env);
        volumes = List.copyOf(volumes);
        etcFiles = List.copyOf(etcFiles);
        droppedCapabilities = List.copyOf(droppedCapabilities);
        maskedFiles = List.copyOf(maskedFiles);
        maskedDirectories = List.copyOf(maskedDirectories);
        readOnlyPaths = List.copyOf(readOnlyPaths);
        scratchTmpfs = List.copyOf(scratchTmpfs);
        tmpfsMounts = List.copyOf(tmpfsMounts);
    }
}
