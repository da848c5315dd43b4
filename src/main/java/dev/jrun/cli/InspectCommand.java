package dev.jrun.cli;

import dev.jrun.container.ContainerInspector;
import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "inspect", description = "Show containers as JSON: state, configuration, mounts, ID maps "
        + "(images: jrun image inspect).", mixinStandardHelpOptions = true)
final class InspectCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        Containers containers = ContainerCommands.containers(jrun.root);
        List<ContainerStatus> found = new ArrayList<>();
        for (String name : names) found.add(containers.find(name));
        System.out.println(new ContainerInspector(containers).inspect(found));
        return 0;
    }
}
