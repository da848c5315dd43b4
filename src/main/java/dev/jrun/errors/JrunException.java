package dev.jrun.errors;

/**
 * A failure of jrun itself, for a person to read: what failed, with which input, and what to
 * do. {@link #exitCode()} follows podman: 125 for jrun's own errors, 126 when the command
 * cannot be invoked, 127 when it is not found.
 */
public class JrunException extends Exception {
    private static final long serialVersionUID = 1L;

    public static final int JRUN_ERROR = 125;
    public static final int CANNOT_INVOKE = 126;
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    public JrunException(String message) {
        this(JRUN_ERROR, message, null);
    }

    public JrunException(String message, Throwable cause) {
        this(JRUN_ERROR, message, cause);
    }

    public JrunException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
