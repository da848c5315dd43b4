package dev.jrun.cli;

import dev.jrun.container.Containers;
import dev.jrun.container.Engine;
import dev.jrun.errors.JrunException;
import dev.jrun.runtime.Signals;
import java.nio.file.Path;

/** What the container commands share: one Engine per command, names resolved as podman does. */
final class ContainerCommands {
    private ContainerCommands() {}

    static Containers containers(Path root) {
        return new Containers(new Engine(root, true, Warnings::print));
    }

    static int signal(String text) throws JrunException {
        int signal = Signals.parse(text);
        if (signal < 0) throw new JrunException("invalid signal \"" + text + "\": give a name (TERM, SIGKILL) or a number (1-64)");
        return signal;
    }

}
