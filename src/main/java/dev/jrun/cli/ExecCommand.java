package dev.jrun.cli;

import dev.jrun.container.ContainerExec;
import dev.jrun.container.Engine;
import dev.jrun.container.ExecRequest;
import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** `jrun exec`: its options as a request to {@link ContainerExec}. */
final class ExecCommand implements Callable<Integer> {
    boolean interactive;
    boolean tty;
    boolean detach;
    String user;
    List<String> env = new ArrayList<>();
    String workdir;
    String container;
    List<String> command = new ArrayList<>();
    CommandSpec commandSpec;

    /**
     * exec's options, built with picocli's API as run's are (see {@link RunOptions} for why):
     * test suites and CI jobs exec into their containers many times.
     */
    static CommandSpec spec(ExecCommand exec) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(exec).name("exec");
        spec.usageMessage().description("Run a command in a running container.");
        spec.addOption(Bindings.option(false, v -> exec.interactive = (Boolean) v, "-i", "--interactive")
                .type(boolean.class).description("Keep standard input connected.").build());
        spec.addOption(Bindings.option(false, v -> exec.tty = (Boolean) v, "-t", "--tty")
                .type(boolean.class).description("Give the process a terminal of the container's.").build());
        spec.addOption(Bindings.option(false, v -> exec.detach = (Boolean) v, "-d", "--detach")
                .type(boolean.class).description("Start it and return at once.").build());
        spec.addOption(Bindings.option(null, v -> exec.user = (String) v, "-u", "--user")
                .paramLabel("USER[:GROUP]").type(String.class).description("Run as this user of the container.").build());
        spec.addOption(Bindings.option(exec.env, v -> exec.env = castList(v), "-e", "--env")
                .paramLabel("KEY[=VALUE]").type(List.class).auxiliaryTypes(String.class)
                .description("Set an environment variable.").build());
        spec.addOption(Bindings.option(null, v -> exec.workdir = (String) v, "-w", "--workdir")
                .paramLabel("DIR").type(String.class).description("Working directory inside the container.").build());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        spec.addPositional(Bindings.positional(null, v -> exec.container = (String) v)
                .index("0").arity("1").required(true).paramLabel("CONTAINER").type(String.class).description("Name or ID.").build());
        spec.addPositional(Bindings.positional(exec.command, v -> exec.command = castList(v))
                .index("1..*").arity("0..*").paramLabel("COMMAND").type(List.class).auxiliaryTypes(String.class)
                .description("The command and its arguments.").build());
        exec.commandSpec = spec;
        return spec;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object v) {
        return (List<String>) v;
    }

    @Override
    public Integer call() throws JrunException {
        new ContainerExec(new Engine(JrunCommand.of(commandSpec).root, true, Warnings::print)).exec(new ExecRequest(container, command, env,
                Optional.ofNullable(user), Optional.ofNullable(workdir), interactive, tty, detach));
        return 0;
    }
}
