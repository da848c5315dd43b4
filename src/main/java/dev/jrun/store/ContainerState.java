package dev.jrun.store;

/**
 * Written to {@code containers/<id>/state.json} once the container's process exists, before it
 * is released to run: who to watch to tell whether it still runs.
 *
 * @param pid          the container's main process, in jrun's PID namespace
 * @param pidStart     that process's start time in clock ticks since boot (proc(5), stat field
 *                     22): a later process with the same PID has another
 * @param monitorPid   the jrun-monitor that is its parent
 * @param bootId       /proc/sys/kernel/random/boot_id: after a reboot no PID means anything
 * @param startedAt    ISO-8601
 */
public record ContainerState(int pid, long pidStart, int monitorPid, String bootId, String startedAt) {

    /** Whether the container's main process is still this one, decided from the process itself. */
    public boolean isRunning() {
        return bootId.equals(HostProcesses.bootId()) && HostProcesses.startTime(pid) == pidStart;
    }
}
