package dev.jrun.cli;

import dev.jrun.container.ContainerLogs;
import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "logs", description = "Print what a container wrote on stdout and stderr.", mixinStandardHelpOptions = true)
final class LogsCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-f", "--follow"}, description = "Keep printing until the container ends.")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "-1", description = "Only the last N lines.")
    int tail;

    @Option(names = {"-t", "--timestamps"}, description = "Show when each line was written.")
    boolean timestamps;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only lines since TIME: RFC 3339 (2024-01-02T15:04:05Z) or a duration before now (10m, 1h30m).")
    String since;

    @Parameters(paramLabel = "CONTAINER", description = "Name or ID.")
    String name;

    @Override
    public Integer call() throws JrunException {
        Containers containers = ContainerCommands.containers(jrun.root);
        new ContainerLogs(containers).print(containers.find(name),
                new ContainerLogs.Options(tail, timestamps, since(), follow), System.out, System.err);
        return 0;
    }

    private Optional<Instant> since() throws JrunException {
        if (since == null) return Optional.empty();
        try {
            return Optional.of(Instant.parse(since));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Optional.of(Instant.now().minus(Duration.parse("PT" + since.toUpperCase(java.util.Locale.ROOT))));
            } catch (DateTimeParseException e) {
                throw new JrunException("--since " + since + ": give a time (2024-01-02T15:04:05Z) or a duration (10m, 1h30m)");
            }
        }
    }
}
