package dev.jrun.api;

/**
 * A failure of jrun, with the message the command line prints after "Error: " and the exit
 * status it would end with (podman's: 125 jrun's own error, 126 the command cannot be invoked,
 * 127 it is not found). Unchecked, so a test can let it fail the test.
 */
public class JrunApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public JrunApiException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public JrunApiException(String message) {
        this(125, message, null);
    }

    /** What `jrun run` (or exec, pull...) would exit with for this failure. */
    public int exitCode() {
        return exitCode;
    }

    /** jrun's own failure, or the typed one its exit code names. */
    static JrunApiException of(dev.jrun.errors.JrunException e) {
        return switch (e.exitCode()) {
            case 126 -> new CannotInvokeException(e.getMessage(), e);
            case 127 -> new CommandNotFoundException(e.getMessage(), e);
            default -> imageNotFound(e) ? new ImageNotFoundException(e.getMessage(), e)
                    : new JrunApiException(e.exitCode(), e.getMessage(), e);
        };
    }

    /** The registry's "not found" for an image's manifest (the last one tried, for several mirrors), not for one of its blobs. */
    private static boolean imageNotFound(dev.jrun.errors.JrunException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.jrun.registry.RegistryException r
                    && r.kind() == dev.jrun.registry.RegistryException.Kind.NOT_FOUND) {
                // ErrorResponses' advice for a missing blob: the image exists but is broken.
                return !r.getMessage().contains("lacks a blob");
            }
        }
        return false;
    }
}
