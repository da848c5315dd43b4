package dev.jrun.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: global options and the list of subcommands. */
@Command(name = "jrun",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run containers without root and without a daemon.",
        footer = {"", "jrun IMAGE [COMMAND...] is short for jrun run IMAGE [COMMAND...].",
                "Exit status: the container's, or 125 (jrun failed), 126 (command cannot be invoked), "
                        + "127 (command not found)."})
public final class JrunCommand {
    @picocli.CommandLine.Option(names = "--root", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The image store (default: $JRUN_ROOT, else $XDG_DATA_HOME/jrun).")
    java.nio.file.Path root;

    @picocli.CommandLine.Option(names = "--storage-driver", paramLabel = "overlay|vfs",
            scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "How a container gets its root from an image: overlay (default where the kernel allows it "
                    + "in a user namespace, Linux 5.11+) or vfs (a private copy per container).")
    String storageDriver;

    /** Global options that take a value, so the implicit-run detection can skip the value. */
    static final Set<String> GLOBAL_OPTIONS_WITH_VALUE = Set.of("--root", "--storage-driver");
    static final Set<String> GLOBAL_FLAGS = Set.of("-h", "--help", "-V", "--version");

    /**
     * The subcommands, by name, in the order help lists them. They are registered lazily
     * (see {@link Main#commandLine}): picocli reads each command's annotations when it is
     * added, and a launch should pay only for the command it runs.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("run", RunCommand::new);
        m.put("ps", PsCommand::new);
        m.put("logs", LogsCommand::new);
        m.put("stop", StopCommand::new);
        m.put("kill", KillCommand::new);
        m.put("wait", WaitCommand::new);
        m.put("rm", RmCommand::new);
        m.put("exec", ExecCommand::new);
        m.put("start", StartCommand::new);
        m.put("container", ContainerCommand::new);
        m.put("inspect", InspectCommand::new);
        m.put("pull", PullCommand::new);
        m.put("images", ImagesCommand::new);
        m.put("rmi", RmiCommand::new);
        m.put("image", ImageCommand::new);
        m.put("load", LoadCommand::new);
        m.put("save", SaveCommand::new);
        m.put("import", ImportCommand::new);
        m.put("login", LoginCommand::new);
        m.put("logout", LogoutCommand::new);
        m.put("volume", VolumeCommand::new);
        m.put("unshare", UnshareCommand::new);
        m.put("info", InfoCommand::new);
        m.put("completion", picocli.AutoComplete.GenerateCompletion::new);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }
}
