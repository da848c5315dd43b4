package dev.jrun.cli;

import dev.jrun.container.RunRequest;
import dev.jrun.errors.JrunException;
import java.util.List;
import picocli.CommandLine;

/**
 * `jrun run`'s arguments as a request, parsed by the very RunCommand the command line uses, so
 * that the library (dev.jrun.api) and the command line can never disagree on what an option means.
 */
public final class RunArguments {
    private RunArguments() {}

    /** {@code args} is what would follow `jrun run`; errors carry the command line's messages. */
    public static RunRequest parse(List<String> args) throws JrunException {
        RunCommand run = new RunCommand();
        try {
            RunOptions.commandLine(run).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new JrunException(e.getMessage() + " (jrun run " + String.join(" ", args) + "); see jrun run --help");
        }
        RunRequest r = run.request();
        return new RunRequest(r.spec(), r.image(), r.rootfs(), r.args(), r.name(), r.detach(), r.autoRemove(), r.pull(),
                r.platform(), r.storageDriver(), args, r.watchParent());
    }
}
