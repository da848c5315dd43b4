package dev.jrun.api;

/**
 * No registry has the image (HTTP 404, MANIFEST_UNKNOWN or NAME_UNKNOWN, from the last registry
 * or mirror tried): a wrong name or tag, not a network failure. Exit 125, as `jrun pull`.
 */
public class ImageNotFoundException extends JrunApiException {
    private static final long serialVersionUID = 1L;

    public ImageNotFoundException(String message, Throwable cause) {
        super(125, message, cause);
    }
}
