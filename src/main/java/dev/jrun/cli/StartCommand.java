package dev.jrun.cli;

import dev.jrun.container.ContainerRunner;
import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.container.Engine;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "start", description = "Start stopped containers again, as `run` started them, on their own files.",
        mixinStandardHelpOptions = true)
final class StartCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-a", "--attach"}, description = "Stay attached: its output, its exit status (one container).")
    boolean attach;

    @Parameters(paramLabel = "CONTAINER", arity = "1..*", description = "Names or IDs.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        if (attach && names.size() > 1) throw new JrunException("jrun start -a takes one container, not " + names.size());
        Engine engine = new Engine(jrun.root, true, Warnings::print);
        Containers containers = new Containers(engine);
        for (String name : names) {
            ContainerStatus c = containers.find(name);
            List<String> recorded = c.area().record().runArguments();
            if (recorded.isEmpty()) {
                throw new JrunException("container " + c.name() + " has no recorded options (a --rootfs --rm run, or "
                        + "made by an older jrun); it cannot start again: run it anew");
            }
            // The options `run` was given, parsed as `run` parses them: the same container again.
            RunCommand run = new RunCommand();
            try {
                RunOptions.commandLine(run).parseArgs(recorded.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new JrunException("the recorded options of container " + c.name() + " no longer parse ("
                        + e.getMessage() + "); remove it and run it anew");
            }
            run.jrun = jrun;
            new ContainerRunner(engine).start(c, run.request(), attach);
            System.out.println(name);
        }
        return 0;
    }
}
