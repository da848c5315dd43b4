package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.time.Duration;

/**
 * Bounded retries with exponential backoff for transient failures: network errors (connection
 * refused or reset, also mid-stream), HTTP 5xx, and 429 (honouring Retry-After, capped at
 * {@code maxDelay} as containers/image does). Never retries a refused digest, a 404 or a 401:
 * those do not heal by waiting.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxTotal) {
    /** 5 attempts, 1 s doubling to at most 30 s, and never more than 3 minutes in all. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(3));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
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
            sleep(action, wait);
            delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
        }
    }

    private static void sleep(String action, Duration wait) throws JrunException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunException(action + ": interrupted while waiting to retry", e);
        }
    }

    /** Java's network exceptions often carry no message; name the class so the user sees something. */
    static String describe(IOException e) {
        StringBuilder out = new StringBuilder();
        Throwable t = e;
        for (int depth = 0; t != null && depth < 3; depth++, t = t.getCause()) {
            String message = t.getMessage();
            String text = message == null || message.isEmpty() ? t.getClass().getSimpleName() : message;
            if (out.indexOf(text) >= 0) {
                continue; // wrappers often repeat their cause's message
            }
            out.append(out.length() > 0 ? ": " : "").append(text);
            if (t.getCause() == t) {
                break;
            }
        }
        return out.toString();
    }
}
