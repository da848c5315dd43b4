package dev.jrun.timing;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a launch's time goes, printed on standard error with {@code JRUN_DEBUG_TIMING=1}:
 * the launcher script, the JVM's start until {@code main}, then each phase jrun marks as it
 * ends (parsing, native load, planning, spawn and maps). A foreground run prints it just before
 * the JVM execs jrun-monitor's attach side; other commands when they return.
 * bench/startup-phases collects it over many runs. Off, each mark is one field read.
 */
public final class StartupTiming {
    private static final boolean ON = System.getenv("JRUN_DEBUG_TIMING") != null
            && !System.getenv("JRUN_DEBUG_TIMING").isEmpty();
    private static final List<String> PHASES = new ArrayList<>();
    private static final List<Long> ENDS = new ArrayList<>();
    private static long mainNanos;
    private static double mainEpochMillis;

    private StartupTiming() {}

    public static boolean enabled() {
        return ON;
    }

    /** Called first thing in {@code main}. */
    public static void started() {
        if (!ON) return;
        mainNanos = System.nanoTime();
        Instant now = Instant.now();
        mainEpochMillis = now.getEpochSecond() * 1000.0 + now.getNano() / 1e6;
    }

    /** The phase called {@code phase} ends now; the next one starts. */
    public static synchronized void ended(String phase) {
        if (!ON || mainNanos == 0) return;
        PHASES.add(phase);
        ENDS.add(System.nanoTime());
    }

    /** Prints the phases on one line, e.g. {@code jrun timing (ms): launcher 3.1, JVM start 40.2, ..., total 98.0}. */
    public static synchronized void report(PrintStream err) {
        if (!ON || mainNanos == 0) return;
        long end = System.nanoTime();   // before any formatting: its first use costs milliseconds
        StringBuilder line = new StringBuilder("jrun timing (ms):");
        // The launcher script exports its start and the moment it execs the JVM ($EPOCHREALTIME).
        double scriptStart = epochMillis("JRUN_TIMING_T0");
        double exec = epochMillis("JRUN_TIMING_EXEC");
        double total = 0;
        if (!Double.isNaN(scriptStart) && !Double.isNaN(exec)) {
            total += add(line, "launcher", exec - scriptStart);
        }
        if (!Double.isNaN(exec)) total += add(line, "JVM start", mainEpochMillis - exec);
        long from = mainNanos;
        for (int i = 0; i < PHASES.size(); i++) {
            total += add(line, PHASES.get(i), (ENDS.get(i) - from) / 1e6);
            from = ENDS.get(i);
        }
        total += add(line, "rest", (end - from) / 1e6);
        line.append(String.format(Locale.ROOT, " | total %.1f", total));
        err.println(line);
        err.flush();
    }

    private static double add(StringBuilder line, String phase, double millis) {
        if (line.charAt(line.length() - 1) != ':') line.append(',');
        line.append(' ').append(phase).append(' ').append(String.format(Locale.ROOT, "%.1f", millis));
        return millis;
    }

    /** $EPOCHREALTIME as bash writes it: seconds, a decimal point (or comma, by locale), microseconds. */
    private static double epochMillis(String variable) {
        String value = System.getenv(variable);
        if (value == null) return Double.NaN;
        try {
            return Double.parseDouble(value.replace(',', '.')) * 1000.0;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
