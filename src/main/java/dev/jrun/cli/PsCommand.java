package dev.jrun.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.container.Engine;
import dev.jrun.errors.JrunException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "ps", aliases = {"list", "ls"}, description = "List containers (running ones unless -a).",
        mixinStandardHelpOptions = true)
final class PsCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-a", "--all"}, description = "Also containers that are not running.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Only the IDs.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Full IDs and commands.")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "table (default) or json.")
    String format;

    private Containers containers;

    @Override
    public Integer call() throws JrunException {
        containers = new Containers(new Engine(jrun.root, true, Warnings::print));
        List<ContainerStatus> list = containers.list(all);
        Instant now = Instant.now();
        if (quiet) {
            list.forEach(c -> System.out.println(noTrunc ? c.id() : c.id().substring(0, 12)));
            return 0;
        }
        switch (format) {
            case "json" -> System.out.println(json(list, now));
            case "table" -> table(list, now);
            default -> throw new JrunException("--format " + format + ": jrun ps knows table and json");
        }
        return 0;
    }

    private void table(List<ContainerStatus> list, Instant now) {
        String row = "%-12s  %-28s  %-20s  %-18s  %-26s  %-22s  %s%n";
        System.out.printf(row, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        for (ContainerStatus c : list) {
            String command = String.join(" ", c.area().record().command());
            if (!noTrunc && command.length() > 20) command = command.substring(0, 17) + "...";
            String created = ContainerStatus.ago(Instant.parse(c.area().record().created()), now);
            System.out.printf(row, noTrunc ? c.id() : c.id().substring(0, 12), c.area().record().image(), command,
                    created, c.describe(now), String.join(", ", ports(c)), c.name());
        }
    }

    /** Published ports as the container's record keeps them (none for a record of an older jrun). */
    private List<String> ports(ContainerStatus c) {
        try {
            return c.area().record().config() == null ? List.of() : containers.defaults(c).ports();
        } catch (JrunException e) {
            return List.of();
        }
    }

    private String json(List<ContainerStatus> list, Instant now) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode out = mapper.createArrayNode();
        for (ContainerStatus c : list) {
            ObjectNode o = out.addObject();
            o.put("Id", c.id());
            o.putArray("Names").add(c.name());
            o.put("Image", c.area().record().image());
            o.put("ImageID", c.area().record().imageId());
            ArrayNode command = o.putArray("Command");
            c.area().record().command().forEach(command::add);
            o.put("Created", c.area().record().created());
            o.put("State", c.kind().word);
            o.put("Status", c.describe(now));
            c.state().ifPresent(s -> {
                o.put("Pid", s.pid());
                o.put("StartedAt", s.startedAt());
            });
            if (c.exitCode() != null) o.put("ExitCode", c.exitCode());
            c.exit().ifPresent(e -> o.put("FinishedAt", e.finished().toString()));
            o.put("AutoRemove", c.area().record().autoRemove());
            ArrayNode ports = o.putArray("Ports");
            ports(c).forEach(ports::add);
        }
        try {
            return mapper.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
