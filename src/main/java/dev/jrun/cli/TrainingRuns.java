package dev.jrun.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's class-data training (./jrun, make_archive): {@code TrainingRuns CMDLINE
 * [--then CMDLINE]...} runs each command line as jrun would, one after the other in this JVM,
 * because an AOT configuration (JDK 24+) records a single JVM and one archive should hold the
 * classes of every run it serves. The launcher gives commands that fail before their container
 * execs (a program that does not exist), so each run returns here instead of this JVM becoming
 * jrun-monitor. Not a command for people.
 */
public final class TrainingRuns {
    /** Separates the command lines; no training argument is this word (they are options and absolute paths). */
    static final String THEN = "--then";

    private TrainingRuns() {}

    public static void main(String[] args) {
        for (List<String> commandLine : commandLines(args)) Main.execute(commandLine.toArray(String[]::new));
    }

    static List<List<String>> commandLines(String[] args) {
        List<List<String>> lines = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : args) {
            if (a.equals(THEN)) {
                lines.add(current);
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        lines.add(current);
        lines.removeIf(List::isEmpty);
        return lines;
    }
}
