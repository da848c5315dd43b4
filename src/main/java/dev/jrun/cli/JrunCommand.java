package dev.jrun.cli;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/** The top-level command: global options and the list of subcommands. */
public final class JrunCommand {
    /** --root: the image store (default: $JRUN_ROOT, else $XDG_DATA_HOME/jrun). */
    java.nio.file.Path root;

    /** --storage-driver: overlay or vfs. */
    String storageDriver;

    /**
     * jrun's own options, built with picocli's programmatic API into this object's fields, as
     * `run`'s are (see {@link RunOptions} for why: jrun's own command is on every launch path).
     * The global options are inherited: they may also follow the subcommand.
     */
    static CommandSpec spec(JrunCommand jrun) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(jrun).name("jrun").versionProvider(new VersionProvider());
        spec.usageMessage()
                .description("Run containers without root and without a daemon.")
                .footer("", "jrun IMAGE [COMMAND...] is short for jrun run IMAGE [COMMAND...].",
                        "Exit status: the container's, or 125 (jrun failed), 126 (command cannot be invoked), "
                                + "127 (command not found).");
        // picocli's standard help options, declared here: mixinStandardHelpOptions reads them from annotations.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        globalOptions(jrun).forEach(spec::addOption);
        return spec;
    }

    /**
     * The global options a command built with the programmatic API gets (what @ParentCommand
     * injects into the annotated ones): its parent's, or the defaults when it was parsed alone.
     */
    static JrunCommand of(CommandSpec command) {
        CommandSpec parent = command == null ? null : command.parent();
        return parent != null && parent.userObject() instanceof JrunCommand j ? j : new JrunCommand();
    }

    /** --root and --storage-driver, into {@code jrun}'s fields; inherited, so they may also follow a subcommand. */
    static List<OptionSpec> globalOptions(JrunCommand jrun) {
        return List.of(
                Bindings.option(null, v -> jrun.root = (java.nio.file.Path) v, "--root")
                        .paramLabel("DIR").type(java.nio.file.Path.class).scopeType(ScopeType.INHERIT)
                        .description("The image store (default: $JRUN_ROOT, else $XDG_DATA_HOME/jrun).").build(),
                Bindings.option(null, v -> jrun.storageDriver = (String) v, "--storage-driver")
                        .paramLabel("overlay|vfs").type(String.class).scopeType(ScopeType.INHERIT)
                        .description("How a container gets its root from an image: overlay (default where the kernel allows it "
                                + "in a user namespace, Linux 5.11+) or vfs (a private copy per container).").build());
    }

    /** Global options that take a value, so the implicit-run detection can skip the value. */
    static final Set<String> GLOBAL_OPTIONS_WITH_VALUE = Set.of("--root", "--storage-driver");
    static final Set<String> GLOBAL_FLAGS = Set.of("-h", "--help", "-V", "--version");

    /**
     * The subcommands' names, in the order help lists them. They are registered lazily (see
     * {@link Main#commandLine}): a launch should pay only for the command it runs.
     */
    static final List<String> SUBCOMMANDS = List.of("run", "ps", "logs", "stop", "kill", "wait", "rm", "exec", "start",
            "container", "inspect", "pull", "images", "rmi", "image", "load", "save", "import", "login", "logout", "volume",
            "unshare", "info", "completion", "help");

    /**
     * A new instance of the subcommand {@code name} (one of {@link #SUBCOMMANDS}), or its spec.
     * A switch rather than a map of constructor references: each of those is a call site the
     * JVM links at start-up, and only one is used.
     */
    static Object subcommand(String name) {
        return switch (name) {
            case "run" -> RunOptions.spec(new RunCommand());
            case "ps" -> new PsCommand();
            case "logs" -> new LogsCommand();
            case "stop" -> new StopCommand();
            case "kill" -> new KillCommand();
            case "wait" -> new WaitCommand();
            case "rm" -> new RmCommand();
            case "exec" -> ExecCommand.spec(new ExecCommand());
            case "start" -> new StartCommand();
            case "container" -> new ContainerCommand();
            case "inspect" -> new InspectCommand();
            case "pull" -> new PullCommand();
            case "images" -> new ImagesCommand();
            case "rmi" -> new RmiCommand();
            case "image" -> new ImageCommand();
            case "load" -> new LoadCommand();
            case "save" -> new SaveCommand();
            case "import" -> new ImportCommand();
            case "login" -> new LoginCommand();
            case "logout" -> new LogoutCommand();
            case "volume" -> new VolumeCommand();
            case "unshare" -> new UnshareCommand();
            case "info" -> new InfoCommand();
            case "completion" -> new picocli.AutoComplete.GenerateCompletion();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }
}
