package dev.jrun.cli;

import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "kill", description = "Send a signal to containers' main processes.", mixinStandardHelpOptions = true)
final class KillCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL",
            description = "Name or number (default KILL).")
    String signal;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        int number = ContainerCommands.signal(signal);
        Containers containers = ContainerCommands.containers(jrun.root);
        for (String name : names) {
            ContainerStatus c = containers.find(name);
            if (!containers.kill(c, number)) {
                throw new JrunException("can only kill running containers. " + c.id().substring(0, 12) + " is in state "
                        + c.kind().word + ": container state improper");
            }
            System.out.println(name);
        }
        return 0;
    }
}
