package dev.jrun.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/** The waits of {@link JrunContainer}: poll until the condition holds, the time is up, or the container ended. */
final class Waits {
    private Waits() {}

    static String forLog(JrunContainer c, Pattern pattern, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            boolean running = c.isRunning();
            Optional<String> hit = c.logs().lines().filter(l -> pattern.matcher(l).find()).findFirst();
            if (hit.isPresent()) return hit.get();
            if (!running) throw ended(c, "a log line matching " + pattern);
            if (Instant.now().isAfter(deadline)) throw timedOut(c, "a log line matching " + pattern, timeout);
            JrunContainer.sleep(100);
        }
    }

    static void forPort(JrunContainer c, int containerPort, int hostPort, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String what = "port " + containerPort + " (host port " + hostPort + ") to accept connections";
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(c.host(), hostPort), 500);
                return;
            } catch (IOException notYet) {
                // refused: not listening yet
            }
            if (!c.isRunning()) throw ended(c, what);
            if (Instant.now().isAfter(deadline)) throw timedOut(c, what, timeout);
            JrunContainer.sleep(100);
        }
    }

    private static ContainerTimeoutException timedOut(JrunContainer c, String what, Duration timeout) {
        return new ContainerTimeoutException("container " + c.shortId() + ": no " + what + " within "
                + timeout.toMillis() + " ms; its last log lines:\n" + String.join("\n", c.lastLogLines(20)));
    }

    private static ContainerTimeoutException ended(JrunContainer c, String what) {
        return new ContainerTimeoutException("container " + c.shortId() + " ended (exit code "
                + c.exitCode().stream().mapToObj(Integer::toString).findFirst().orElse("unknown") + ") while waiting for "
                + what + "; its last log lines:\n" + String.join("\n", c.lastLogLines(20)));
    }

    /** A TCP port free on this host right now (bound to port 0 and released). */
    static int freePort() throws dev.jrun.errors.JrunException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new dev.jrun.errors.JrunException("find a free host port to publish on: " + e.getMessage(), e);
        }
    }
}
