package dev.jrun.api;

/** The container's command is not there: exit 127. */
public class CommandNotFoundException extends JrunApiException {
    private static final long serialVersionUID = 1L;

    public CommandNotFoundException(String message, Throwable cause) {
        super(127, message, cause);
    }
}
