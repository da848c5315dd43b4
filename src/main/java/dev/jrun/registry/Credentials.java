package dev.jrun.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or token) for one registry. {@link #toString()} never shows the secret. */
public record Credentials(String username, String password) {
    /** The value of an HTTP Basic Authorization header (RFC 7617). */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=<hidden>]";
    }
}
