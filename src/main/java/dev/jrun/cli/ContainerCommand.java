package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.store.ContainerRecord;
import dev.jrun.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "container", description = "Manage containers' files in the store.", mixinStandardHelpOptions = true,
        subcommands = {ContainerCommand.Prune.class})
final class ContainerCommand {
    @ParentCommand JrunCommand jrun;

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove the files of containers whose jrun is gone (killed with SIGKILL, or crashed).")
    static final class Prune implements Callable<Integer> {
        @ParentCommand ContainerCommand container;

        @Override
        public Integer call() throws JrunException {
            Store store = new ImageContext(container.jrun.root, true).store();
            int removed = 0;
            for (ContainerRecord c : store.containers()) {
                if (ContainerLock.inUse(store.container(c.id()).dir())) continue;
                store.removeContainer(c.id());
                System.out.println(c.id());
                removed++;
            }
            System.err.println("Removed " + removed + " stopped container(s)");
            return 0;
        }
    }
}
