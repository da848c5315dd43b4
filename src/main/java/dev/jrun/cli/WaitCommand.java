package dev.jrun.cli;

import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "wait", description = "Wait for containers to end and print their exit codes.",
        mixinStandardHelpOptions = true)
final class WaitCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        Containers containers = ContainerCommands.containers(jrun.root);
        for (String name : names) System.out.println(containers.waitFor(containers.find(name)));
        return 0;
    }
}
