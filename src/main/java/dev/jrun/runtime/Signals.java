package dev.jrun.runtime;

import java.util.Locale;
import java.util.Map;

/** Signal names as images and users write them: "SIGTERM", "TERM", "15". */
public final class Signals {
    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16),
            Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20),
            Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28),
            Map.entry("IO", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    private Signals() {}

    /** The signal number, or -1. */
    public static int parse(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) s = s.substring(3);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 2) {
            int n = Integer.parseInt(s);
            return n >= 1 && n <= 64 ? n : -1;
        }
        return BY_NAME.getOrDefault(s, -1);
    }
}
