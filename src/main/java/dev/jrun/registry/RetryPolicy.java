package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Bounded retries with exponential backoff for transient failures: network errors (connection
 * refused or reset, also mid-stream), HTTP 5xx, and 429 (honouring Retry-After, capped at
 * {@code maxDelay} as containers/image does). Never retries a refused digest, a 404 or a 401:
 * those do not heal by waiting.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxTotal,
                          Consumer<String> notice) {
    /**
     * As podman (containers/common pkg/retry, seen with podman 4.3): the first try and 3 retries
     * 1 s apart, about 3 s for a registry that cannot be reached; never more than 3 minutes in all.
     */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(3));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        notice = notice == null ? message -> { } : notice;
    }

    /** A policy that says nothing while it retries. */
    public RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxTotal) {
        this(maxAttempts, initialDelay, maxDelay, maxTotal, null);
    }

    /** This policy, telling {@code notice} before each wait, as podman warns "Failed, retrying in 1s ... (1/3)". */
    public RetryPolicy withNotice(Consumer<String> notice) {
        return new RetryPolicy(maxAttempts, initialDelay, maxDelay, maxTotal, notice);
    }

    /** One try of an operation: may be repeated, so it must start from scratch each time. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws IOException, JrunException;
    }

    <T> T run(String action, Attempt<T> attempt) throws JrunException {
        long started = System.nanoTime();
        Duration delay = initialDelay;
        for (int attemptNumber = 1; ; attemptNumber++) {
            Duration wait;
            RegistryException registryFailure = null;
            IOException networkFailure = null;
            try {
                return attempt.run();
            } catch (RegistryException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                registryFailure = e;
                wait = e.retryAfter().orElse(delay);
            } catch (IOException e) {
                String permanent = permanentFailure(e);
                if (permanent != null) {
                    throw new JrunException(action + ": " + describe(e) + "; " + permanent, e);
                }
                networkFailure = e;
                wait = delay;
            }
            if (wait.compareTo(maxDelay) > 0) {
                wait = maxDelay;
            }
            Duration spent = Duration.ofNanos(System.nanoTime() - started);
            boolean outOfAttempts = attemptNumber >= maxAttempts;
            if (outOfAttempts || spent.plus(wait).compareTo(maxTotal) > 0) {
                String gaveUp = " (gave up after " + attemptNumber + (attemptNumber == 1 ? " attempt" : " attempts")
                        + (outOfAttempts ? "" : " in " + spent.toSeconds() + " s") + ")";
                if (registryFailure != null) {
                    throw new RegistryException(registryFailure.kind(), registryFailure.status(),
                            registryFailure.getMessage() + gaveUp, registryFailure.retryAfter().orElse(null));
                }
                throw new JrunException(action + ": " + describe(networkFailure) + gaveUp
                        + "; check the network and that the registry is up, then try again", networkFailure);
            }
            notice.accept("Failed, retrying in " + seconds(wait) + " ... (" + attemptNumber + "/" + (maxAttempts - 1)
                    + "). Error: " + (registryFailure != null ? registryFailure.getMessage()
                            : action + ": " + describe(networkFailure)));
            sleep(action, wait);
            delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static void sleep(String action, Duration wait) throws JrunException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunException(action + ": interrupted while waiting to retry", e);
        }
    }

    /**
     * Failures that waiting does not cure, with what to do instead, or null for transient ones:
     * a TLS failure (wrong certificate, or a plain-http server) and an unknown host name.
     */
    static String permanentFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return "the TLS connection failed; if the registry serves plain HTTP or a certificate jrun cannot"
                        + " verify, mark it insecure = true in registries.conf (containers-registries.conf(5))";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "check the spelling of the registry and the DNS configuration";
            }
        }
        return null;
    }

    /** Java's network exceptions often carry no message; say what the exception chain means. */
    static String describe(IOException e) {
        StringBuilder out = new StringBuilder();
        Throwable t = e;
        for (int depth = 0; t != null && depth < 4; depth++) {
            String text = text(t);
            if (text != null && out.indexOf(text) < 0) {
                out.append(out.length() > 0 ? ": " : "").append(text);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return out.length() > 0 ? out.toString() : e.getClass().getSimpleName();
    }

    private static String text(Throwable t) {
        String message = t.getMessage();
        if (message != null && !message.isEmpty()) {
            return message;
        }
        // The JDK's HttpClient reports connect failures as a bare ConnectException around these.
        if (t instanceof UnresolvedAddressException) {
            return "host name does not resolve";
        }
        if (t instanceof ClosedChannelException) {
            return "connection refused";
        }
        if (t instanceof ConnectException) {
            return null; // its cause says why
        }
        return t.getClass().getSimpleName();
    }
}
