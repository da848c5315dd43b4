package dev.jrun.store;

import dev.jrun.errors.JrunException;

/** The store refused or failed an operation; the message says which, on what, and what to do. */
public class StoreException extends JrunException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** With podman's exit code for this failure (e.g. 2: a volume in use). */
    public StoreException(int exitCode, String message, Throwable cause) {
        super(exitCode, message, cause);
    }
}
