package dev.jrun.runtime;

import dev.jrun.seccomp.SeccompFilter;
import java.util.List;
import java.util.Optional;

/**
 * The security settings of a launch beyond capabilities and podman's fixed masks.
 *
 * @param seccomp the filter the child loads, none for seccomp=unconfined or --privileged
 * @param noNewPrivileges prctl(PR_SET_NO_NEW_PRIVS): setuid and file capabilities stop working
 * @param maskedPaths --security-opt mask= paths: hidden whether they are files or directories
 */
public record ContainerSecurity(Optional<SeccompFilter> seccomp, boolean noNewPrivileges, List<String> maskedPaths) {
    public static final ContainerSecurity NONE = new ContainerSecurity(Optional.empty(), false, List.of());

    public ContainerSecurity {
        maskedPaths = List.copyOf(maskedPaths);
    }
}
