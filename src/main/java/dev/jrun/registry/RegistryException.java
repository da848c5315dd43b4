package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import java.time.Duration;
import java.util.Optional;

/**
 * A registry answered with an error. {@link #kind()} lets callers react (try the next mirror on
 * {@link Kind#NOT_FOUND}, retry on {@link Kind#TOO_MANY_REQUESTS} or {@link Kind#SERVER}).
 */
public final class RegistryException extends JrunException {
    private static final long serialVersionUID = 1L;

    public enum Kind { UNAUTHORIZED, DENIED, NOT_FOUND, TOO_MANY_REQUESTS, SERVER, PROTOCOL, OTHER }

    private final Kind kind;
    private final int status;
    private final transient Duration retryAfter;

    public RegistryException(Kind kind, int status, String message, Duration retryAfter) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }

    /** The delay the registry asked for (Retry-After), if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whether trying again later may succeed: rate limits and server-side failures. */
    public boolean isTransient() {
        return kind == Kind.TOO_MANY_REQUESTS || kind == Kind.SERVER;
    }
}
