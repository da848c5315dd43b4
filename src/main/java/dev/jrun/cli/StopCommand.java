package dev.jrun.cli;

import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "stop", description = "Stop containers: their stop signal, then SIGKILL after the timeout.",
        mixinStandardHelpOptions = true)
final class StopCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds to wait before SIGKILL (default 10).")
    int seconds;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        if (seconds < 0) throw new JrunException("--time " + seconds + ": give 0 or more seconds");
        Containers containers = ContainerCommands.containers(jrun.root);
        for (String name : names) {
            // A stopped container is no error, as podman: stop is what the user wanted.
            containers.stop(containers.find(name), seconds);
            System.out.println(name);
        }
        return 0;
    }
}
