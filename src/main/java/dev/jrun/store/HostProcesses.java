package dev.jrun.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about processes: enough to tell one from a later process with its PID. */
public final class HostProcesses {
    private static volatile String bootId;

    private HostProcesses() {}

    /** Start time of {@code pid} in clock ticks since boot (proc(5), stat field 22), or -1 if it is gone. */
    public static long startTime(int pid) {
        if (pid <= 0) return -1;
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if ("Z".equals(fields[0]) || "X".equals(fields[0])) return -1;   // ended, not yet reaped
            return Long.parseLong(fields[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static String bootId() {
        String id = bootId;
        if (id == null) {
            try {
                id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            } catch (IOException e) {
                id = "unknown";
            }
            bootId = id;
        }
        return id;
    }
}
