package dev.jrun.cli;

import dev.jrun.container.ContainerExec;
import dev.jrun.container.Engine;
import dev.jrun.container.ExecRequest;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "exec", description = "Run a command in a running container.", mixinStandardHelpOptions = true)
final class ExecCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input connected.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the process a terminal of the container's.")
    boolean tty;

    @Option(names = {"-d", "--detach"}, description = "Start it and return at once.")
    boolean detach;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user of the container.")
    String user;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Name or ID.")
    String container;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        new ContainerExec(new Engine(jrun.root, true, Warnings::print)).exec(new ExecRequest(container, command, env,
                Optional.ofNullable(user), Optional.ofNullable(workdir), interactive, tty, detach));
        return 0;
    }
}
