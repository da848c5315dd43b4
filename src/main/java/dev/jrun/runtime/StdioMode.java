package dev.jrun.runtime;

/** How the container's standard streams are connected; jrun-monitor relays them. */
public enum StdioMode {
    /** stdin is /dev/null (no -i, as podman); stdout and stderr are pipes to the monitor. */
    NO_STDIN,
    /** -i: stdin is a pipe too, fed from jrun's stdin. */
    INHERIT,
    /** -t: a new pseudo-terminal is the container's controlling terminal; what it reads gets no input. */
    TTY,
    /** -it: the terminal gets jrun's stdin. */
    TTY_INTERACTIVE;

    public boolean tty() {
        return this == TTY || this == TTY_INTERACTIVE;
    }

    public boolean interactive() {
        return this == INHERIT || this == TTY_INTERACTIVE;
    }
}
