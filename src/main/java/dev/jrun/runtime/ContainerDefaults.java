package dev.jrun.runtime;

import java.util.List;
import java.util.Optional;

/**
 * What an image's config says a container should be; command-line options override it.
 *
 * @param exposedPorts config.ExposedPorts ("80/tcp"), published by -P
 */
public record ContainerDefaults(List<String> entrypoint, List<String> cmd, List<String> env,
                                Optional<String> workdir, Optional<String> user, Optional<String> stopSignal,
                                List<String> exposedPorts) {
    public static final ContainerDefaults NONE =
            new ContainerDefaults(List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty());

    public ContainerDefaults(List<String> entrypoint, List<String> cmd, List<String> env, Optional<String> workdir,
                             Optional<String> user, Optional<String> stopSignal) {
        this(entrypoint, cmd, env, workdir, user, stopSignal, List.of());
    }

    public ContainerDefaults {
        exposedPorts = List.copyOf(exposedPorts);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
    }
}
