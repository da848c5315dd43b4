package dev.jrun.image.layer;

import dev.jrun.errors.JrunException;

/**
 * The layer archive is refused as a whole: it tries to write outside its root, is malformed,
 * exceeds a limit, or does not match its diffID. Nothing of it is used; the caller discards
 * the directory it was unpacked into.
 */
public class LayerRefusedException extends JrunException {
    private static final long serialVersionUID = 1L;

    public LayerRefusedException(String message) {
        super(message);
    }

    public LayerRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
