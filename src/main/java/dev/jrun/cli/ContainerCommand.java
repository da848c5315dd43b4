package dev.jrun.cli;

import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** `jrun container SUBCOMMAND`: what only podman's container group has. */
@Command(name = "container", description = "Manage containers.", mixinStandardHelpOptions = true,
        subcommands = ContainerCommand.Prune.class)
final class ContainerCommand {
    @ParentCommand JrunCommand jrun;

    @Command(name = "prune", description = "Remove every container that is not running.", mixinStandardHelpOptions = true)
    static final class Prune implements Callable<Integer> {
        @ParentCommand ContainerCommand container;

        @Override
        public Integer call() throws JrunException {
            Containers containers = ContainerCommands.containers(container.jrun.root);
            for (ContainerStatus c : containers.list(true)) {
                if (c.running()) continue;
                containers.remove(c, false);
                System.out.println(c.id());
            }
            return 0;
        }
    }
}
