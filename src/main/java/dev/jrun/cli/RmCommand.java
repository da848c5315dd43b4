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

@Command(name = "rm", description = "Remove containers and their files.", mixinStandardHelpOptions = true)
final class RmCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-f", "--force"}, description = "Kill running containers first.")
    boolean force;

    @Option(names = {"-a", "--all"}, description = "All containers.")
    boolean all;

    @Parameters(paramLabel = "CONTAINER", arity = "0..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        if (names.isEmpty() && !all) throw new JrunException("jrun rm needs a container name or ID, or --all");
        Containers containers = ContainerCommands.containers(jrun.root);
        List<ContainerStatus> doomed = new ArrayList<>();
        if (all) doomed.addAll(containers.list(true));
        for (String name : names) doomed.add(containers.find(name));
        for (ContainerStatus c : doomed) {
            containers.remove(c, force);
            System.out.println(c.id());
        }
        return 0;
    }
}
