package dev.jrun.api;

/** The container's command exists but cannot be run (not executable, a directory): exit 126. */
public class CannotInvokeException extends JrunApiException {
    private static final long serialVersionUID = 1L;

    public CannotInvokeException(String message, Throwable cause) {
        super(126, message, cause);
    }
}
