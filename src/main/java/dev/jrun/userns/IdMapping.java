package dev.jrun.userns;

/** One line of /proc/PID/uid_map: {@code count} IDs from {@code containerId} map to {@code hostId}. */
public record IdMapping(long containerId, long hostId, long count) {
    public IdMapping {
        if (containerId < 0 || hostId < 0 || count <= 0) {
            throw new IllegalArgumentException("bad mapping " + containerId + " " + hostId + " " + count);
        }
    }

    /** As the kernel prints it in /proc/PID/uid_map. */
    public String procLine() {
        return String.format("%10d %10d %10d", containerId, hostId, count);
    }
}
