package dev.jrun.container;

import java.util.List;
import java.util.Optional;

/** `jrun exec` as the user asked for it. */
public record ExecRequest(String container, List<String> command, List<String> env, Optional<String> user,
                          Optional<String> workdir, boolean interactive, boolean tty, boolean detach) {
    public ExecRequest {
        command = List.copyOf(command);
        env = List.copyOf(env);
    }
}
