package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;

/** Entry point: {@code jrun [GLOBAL OPTIONS] COMMAND ...}, or {@code jrun IMAGE [CMD...]} for {@code run}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String[] args) {
        CommandLine cli = commandLine();
        return cli.execute(withImplicitRun(cli, args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new JrunCommand());
        // Everything after the image (or the first word of the command) belongs to the container.
        cli.setStopAtPositional(true);
        cli.setExecutionExceptionHandler(Main::handleFailure);
        cli.setParameterExceptionHandler(Main::handleBadArguments);
        return cli;
    }

    /** {@code jrun alpine cat x} is {@code jrun run alpine cat x}, as the design card shows. */
    static String[] withImplicitRun(CommandLine cli, String[] args) {
        Set<String> commands = cli.getSubcommands().keySet();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-")) {
                if (JrunCommand.GLOBAL_OPTIONS_WITH_VALUE.contains(a)) i++;
                continue;
            }
            if (commands.contains(a)) return args;
            String[] out = new String[args.length + 1];
            System.arraycopy(args, 0, out, 0, i);
            out[i] = "run";
            System.arraycopy(args, i, out, i + 1, args.length - i);
            return out;
        }
        return args;
    }

    private static int handleFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof JrunException j) {
            err.println("Error: " + j.getMessage());
            err.flush();
            return j.exitCode();
        }
        err.println("Error: jrun failed unexpectedly: " + e);
        e.printStackTrace(err);
        err.flush();
        return JrunException.JRUN_ERROR;
    }

    private static int handleBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("Error: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        }
        err.flush();
        return JrunException.JRUN_ERROR;
    }
}
