package dev.jrun.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jrun.errors.JrunException;
import dev.jrun.runtime.HostCheck;
import dev.jrun.runtime.HostEnvironment;
import dev.jrun.runtime.HostReport;
import dev.jrun.runtime.LaunchPlanner;
import dev.jrun.runtime.Launcher;
import dev.jrun.runtime.ProcIdMapWriter;
import dev.jrun.sys.SyscallsFactory;
import dev.jrun.sys.Syscalls;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "info",
        description = "Show what rootless containers need from this host, and how to fix what is missing.",
        mixinStandardHelpOptions = true)
final class InfoCommand implements Callable<Integer> {

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "text (default) or json.")
    String format = "text";

    @ParentCommand JrunCommand jrun;

    @Override
    public Integer call() throws JrunException {
        if (!format.equals("text") && !format.equals("json")) {
            throw new JrunException("--format " + format + ": jrun info prints text or json");
        }
        Syscalls sys = SyscallsFactory.create();
        HostEnvironment host = HostEnvironment.detect(sys);
        Map<String, String> env = System.getenv();
        HostReport report = new HostCheck(host, sys, new LaunchPlanner(host, sys, w -> { }),
                new Launcher(sys, new ProcIdMapWriter(sys)),
                jrun != null && jrun.root != null ? jrun.root.toAbsolutePath() : dev.jrun.container.Engine.defaultRoot(env),
                Optional.ofNullable(jrun == null ? null : jrun.storageDriver)).run();
        if (format.equals("json")) printJson(report, System.out);
        else printText(report, System.out);
        return 0;
    }

    private static void printJson(HostReport report, PrintStream out) throws JrunException {
        Map<String, Object> tree = new LinkedHashMap<>(report.sections());
        tree.put("problems", report.problems().stream()
                .map(p -> Map.of("problem", p.what(), "fix", p.fix())).toList());
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tree));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new JrunException("write the report as JSON: " + e.getMessage(), e);
        }
    }

    /** YAML-like, as podman info prints. */
    private static void printText(HostReport report, PrintStream out) {
        report.sections().forEach((name, facts) -> {
            out.println(name + ":");
            facts.forEach((key, value) -> {
                if (value instanceof List<?> list) {
                    out.println("  " + key + ":" + (list.isEmpty() ? " []" : ""));
                    list.forEach(item -> out.println("    - " + item));
                } else {
                    out.println("  " + key + ": " + value);
                }
            });
        });
        if (report.problems().isEmpty()) {
            out.println("problems: none");
            return;
        }
        out.println("problems:");
        for (HostReport.Problem p : report.problems()) {
            out.println("  - problem: " + p.what());
            out.println("    fix: " + p.fix());
        }
    }
}
