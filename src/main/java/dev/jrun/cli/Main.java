package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SyscallsFactory;
import dev.jrun.timing.StartupTiming;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/** Entry point: {@code jrun [GLOBAL OPTIONS] COMMAND ...}, or {@code jrun IMAGE [CMD...]} for {@code run}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        StartupTiming.started();
        // picocli looks up, at every start, classes no jrun option needs: groovy.lang.Closure
        // (a miss that searches every jar on the class path) and converters for java.sql and
        // java.time types, each found and reflected on. jrun's options are strings, numbers,
        // flags and paths.
        System.setProperty("picocli.disable.closures", "true");
        System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        if (isVersionQuery(args)) {
            printVersion();
            // Returns instead of System.exit: from JDK 21 Runtime.exit logs through a
            // System.Logger (JDK-8301627), whose start-up is a quarter of this command's time
            // on JDK 25. Nothing else runs here, so the JVM ends with main, status 0.
            return;
        }
        int status = execute(args);
        StartupTiming.report(System.err);
        System.exit(status);
    }

    private static boolean isVersionQuery(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** What picocli would print, without building a command model first (about half of this command's time otherwise). */
    private static void printVersion() {
        for (String line : new VersionProvider().getVersion()) System.out.println(line);
        System.out.flush();
    }

    static int execute(String[] args) {
        if (isVersionQuery(args)) {
            printVersion();
            return 0;
        }
        String[] full = withImplicitRun(args);
        if (needsNativeAccess(full)) SyscallsFactory.preload();
        return commandLine(full).execute(full);
    }

    /** Commands that start a container or a user-namespace helper: the launch path. */
    private static final Set<String> LAUNCHING = Set.of("run", "unshare", "pull", "load", "import", "rmi", "image", "images", "save");

    private static boolean needsNativeAccess(String[] args) {
        String selected = subcommandOf(args);
        return selected != null && LAUNCHING.contains(selected)
                && !List.of(args).contains("--help") && !List.of(args).contains("-h");
    }

    /** The command line with every subcommand, for help, completion and tests. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** Registers only the subcommand {@code args} selects, or all of them for help, completion or no command. */
    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(JrunCommand.spec(new JrunCommand()));
        String selected = subcommandOf(args);
        // jrun --version shows no subcommand: it need not build any (each costs reflection).
        boolean versionOnly = selected == null && List.of(args).stream().anyMatch(a -> a.equals("-V") || a.equals("--version"))
                && List.of(args).stream().noneMatch(a -> a.equals("-h") || a.equals("--help"));
        JrunCommand.SUBCOMMANDS.forEach(name -> {
            if (versionOnly) return;
            boolean all = selected == null || selected.equals("help") || selected.equals("completion");
            if (all || selected.equals(name)) cli.addSubcommand(name, JrunCommand.subcommand(name));
        });
        // Everything after the image (or the first word of the command) belongs to the container.
        cli.setStopAtPositional(true);
        cli.setExecutionExceptionHandler(Main::handleFailure);
        cli.setParameterExceptionHandler(Main::handleBadArguments);
        return cli;
    }

    /** The first word that is not a global option, or null. */
    private static String subcommandOf(String[] args) {
        int i = firstNonGlobal(args);
        return i < args.length ? args[i] : null;
    }

    private static int firstNonGlobal(String[] args) {
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            if (JrunCommand.GLOBAL_OPTIONS_WITH_VALUE.contains(a)) {
                i += 2;
            } else if (JrunCommand.GLOBAL_FLAGS.contains(a) || a.startsWith("--root=") || a.startsWith("--storage-driver=")) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    /**
     * {@code jrun alpine cat x} is {@code jrun run alpine cat x}, as the design card shows, and
     * so is {@code jrun -e A=1 alpine env}: whatever is not a global option or a command starts
     * the arguments of {@code run}.
     */
    static String[] withImplicitRun(String[] args) {
        int i = firstNonGlobal(args);
        if (i >= args.length || JrunCommand.SUBCOMMANDS.contains(args[i])) return args;
        String[] out = new String[args.length + 1];
        System.arraycopy(args, 0, out, 0, i);
        out[i] = "run";
        System.arraycopy(args, i, out, i + 1, args.length - i);
        return out;
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
