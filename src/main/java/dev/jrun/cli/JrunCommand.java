package dev.jrun.cli;

import java.util.Set;
import picocli.CommandLine.Command;

/** The top-level command: global options and the list of subcommands. */
@Command(name = "jrun",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run containers without root and without a daemon.",
        subcommands = {RunCommand.class, UnshareCommand.class, picocli.CommandLine.HelpCommand.class},
        footer = {"", "jrun IMAGE [COMMAND...] is short for jrun run IMAGE [COMMAND...].",
                "Exit status: the container's, or 125 (jrun failed), 126 (command cannot be invoked), "
                        + "127 (command not found)."})
public final class JrunCommand {
    /** Global options that take a value, so the implicit-run detection can skip the value. */
    static final Set<String> GLOBAL_OPTIONS_WITH_VALUE = Set.of("--root");
}
