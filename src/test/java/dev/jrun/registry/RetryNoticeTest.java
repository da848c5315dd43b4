package dev.jrun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** podman's retries (issue 14, item 8): how many, how far apart, and that each is announced. */
class RetryNoticeTest {
    @Test
    void theDefaultIsPodmans4Tries1SecondApart() {
        assertEquals(4, RetryPolicy.DEFAULT.maxAttempts());
        assertEquals(Duration.ofSeconds(1), RetryPolicy.DEFAULT.initialDelay());
        assertEquals(Duration.ofSeconds(1), RetryPolicy.DEFAULT.maxDelay(), "no doubling: 3 s in all, as podman");
    }

    @Test
    void eachRetryIsAnnouncedAsPodmanWarnsIt() throws Exception {
        List<String> said = new ArrayList<>();
        RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(10))
                .withNotice(said::add);
        AtomicInteger tries = new AtomicInteger();
        assertEquals("ok", policy.run("fetch manifest r/x:1", () -> {
            if (tries.incrementAndGet() < 3) throw new ConnectException("connection refused");
            return "ok";
        }));
        assertEquals(List.of("Failed, retrying in 1ms ... (1/3). Error: fetch manifest r/x:1: connection refused",
                "Failed, retrying in 1ms ... (2/3). Error: fetch manifest r/x:1: connection refused"), said);

        said.clear();
        JrunException e = assertThrows(JrunException.class, () -> policy.run("fetch manifest r/x:1", () -> {
            throw new ConnectException("connection refused");
        }));
        assertEquals(3, said.size(), "no announcement after the last try");
        assertTrue(e.getMessage().contains("gave up after 4 attempts"), e.getMessage());
    }

    @Test
    void aPolicyWithoutNoticeSaysNothing() throws Exception {
        RetryPolicy quiet = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1));
        AtomicInteger tries = new AtomicInteger();
        assertEquals(2, (int) quiet.run("x", () -> {
            if (tries.incrementAndGet() < 2) throw new ConnectException("refused");
            return tries.get();
        }));
    }
}
