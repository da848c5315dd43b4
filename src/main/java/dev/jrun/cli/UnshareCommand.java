package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.HostEnvironment;
import dev.jrun.runtime.LaunchPlanner;
import dev.jrun.runtime.Launcher;
import dev.jrun.runtime.ProcIdMapWriter;
import dev.jrun.sys.SyscallsFactory;
import dev.jrun.sys.Linux;
import dev.jrun.sys.Op;
import dev.jrun.sys.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** As {@code podman unshare}: a host command as root of your user namespace, e.g. to remove files of subordinate IDs. */
@Command(name = "unshare",
        description = {"Run a host command in your user namespace, as its root (podman unshare).",
                "Use it to inspect or remove files your containers created with subordinate IDs."},
        mixinStandardHelpOptions = true)
final class UnshareCommand implements Callable<Integer> {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "Default: $SHELL.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        Syscalls sys = SyscallsFactory.create();
        Map<String, String> env = System.getenv();
        List<String> argv = command.isEmpty() ? List.of(env.getOrDefault("SHELL", "/bin/sh")) : command;
        List<String> environment = new ArrayList<>();
        env.forEach((k, v) -> environment.add(k + "=" + v));
        var planner = new LaunchPlanner(HostEnvironment.detect(sys), sys, Warnings::print);
        var userns = planner.userNamespace(Optional.empty());
        var exec = new Op.Exec(LaunchPlanner.executableCandidates(argv.get(0), env.getOrDefault("PATH", "/usr/bin:/bin")),
                argv, environment);
        return new Launcher(sys, new ProcIdMapWriter(sys)).runInUserNamespace(userns, Linux.CLONE_NEWNS, List.of(exec));
    }
}
