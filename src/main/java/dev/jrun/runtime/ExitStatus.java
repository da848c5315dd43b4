package dev.jrun.runtime;

/** A wait(2) status as a shell reports it: the exit code, or 128 + the signal that killed it. */
public final class ExitStatus {
    private ExitStatus() {}

    public static int of(int waitStatus) {
        int signal = waitStatus & 0x7f;
        if (signal == 0) return (waitStatus >> 8) & 0xff;     // WIFEXITED
        if (signal != 0x7f) return 128 + signal;              // WIFSIGNALED
        return 128 + ((waitStatus >> 8) & 0xff);              // stopped: not waited for, but be total
    }
}
