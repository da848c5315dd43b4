package dev.jrun.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A `jrun run` request as the user gave it, before anything is resolved. */
public record RunSpec(
        RootFs rootfs,
        ContainerDefaults image,
        List<String> command,
        Optional<List<String>> entrypoint,
        List<String> env,
        List<Path> envFiles,
        Optional<String> workdir,
        Optional<String> user,
        Optional<String> hostname,
        boolean readOnly,
        List<String> volumes,
        Network network,
        boolean tty,
        boolean interactive,
        Optional<String> usernsRemap,
        int stopTimeoutSeconds,
        SecurityOptions security) {

    public RunSpec {
        command = List.copyOf(command);
        env = List.copyOf(env);
        envFiles = List.copyOf(envFiles);
        volumes = List.copyOf(volumes);
    }

    /** The same request once its root is known: an image's (with its defaults) or a directory. */
    public RunSpec withRoot(RootFs root, ContainerDefaults defaults, List<String> command, Optional<String> host) {
        return new RunSpec(root, defaults, command, entrypoint, env, envFiles, workdir, user, host, readOnly, volumes,
                network, tty, interactive, usernsRemap, stopTimeoutSeconds, security);
    }

    /** A request with podman's default security settings. */
    public RunSpec(RootFs rootfs, ContainerDefaults image, List<String> command, Optional<List<String>> entrypoint,
                   List<String> env, List<Path> envFiles, Optional<String> workdir, Optional<String> user,
                   Optional<String> hostname, boolean readOnly, List<String> volumes, Network network, boolean tty,
                   boolean interactive, Optional<String> usernsRemap, int stopTimeoutSeconds) {
        this(rootfs, image, command, entrypoint, env, envFiles, workdir, user, hostname, readOnly, volumes, network,
                tty, interactive, usernsRemap, stopTimeoutSeconds, SecurityOptions.DEFAULT);
    }
}
