package dev.jrun.runtime;

/** How the container's standard streams are connected. */
public enum StdioMode {
    /** jrun's own descriptors pass straight through; stdin is /dev/null (no -i, as podman). */
    NO_STDIN,
    /** -i: stdin, stdout and stderr pass straight through. */
    INHERIT,
    /** -t: a new pseudo-terminal is the container's controlling terminal. */
    TTY
}
