package dev.jrun.api;

/** A wait (for a log line, a port) ran out of time, or the container ended first; says which and shows its log. */
public class ContainerTimeoutException extends JrunApiException {
    private static final long serialVersionUID = 1L;

    public ContainerTimeoutException(String message) {
        super(125, message, null);
    }
}
