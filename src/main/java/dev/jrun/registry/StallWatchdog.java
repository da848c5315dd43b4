package dev.jrun.registry;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that delivers no bytes for too long. The JDK's HttpClient times out
 * only until the headers arrive; without this, a registry (or a proxy) that stops sending in the
 * middle of a layer would hang a pull forever instead of letting the retry start over.
 */
final class StallWatchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jrun-registry-stall-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration limit;

    StallWatchdog(Duration limit) {
        this.limit = limit;
    }

    Duration limit() {
        return limit;
    }

    /** Watches {@code body} until the guard is closed; call {@link Guard#progress()} after each read. */
    Guard watch(InputStream body) {
        return new Guard(body);
    }

    final class Guard implements AutoCloseable {
        private final InputStream body;
        private final ScheduledFuture<?> check;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;

        private Guard(InputStream body) {
            this.body = body;
            long period = Math.max(50, limit.toMillis() / 4);
            this.check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        boolean stalled() {
            return stalled;
        }

        private void check() {
            if (!stalled && System.nanoTime() - lastProgress > limit.toNanos()) {
                stalled = true;
                check.cancel(false);
                try {
                    body.close(); // wakes the blocked reader (it sees the end of the stream or an error)
                } catch (IOException ignored) {
                    // The reader reports the stall.
                }
            }
        }

        @Override
        public void close() {
            check.cancel(false);
        }
    }
}
