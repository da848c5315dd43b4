package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fails on purpose, to show what a failure looks like: its report carries the container's last
 * log lines. Runs only with -Djrun.example.failing=true (CI checks the report).
 */
@JrunTest
@EnabledIfSystemProperty(named = "jrun.example.failing", matches = "true")
class FailingOnPurposeTest {
    @Container
    JrunContainer app = Jrun.local().containerFromRootfs(BusyboxRootfs.get())
            .withCommand("sh", "-c", "echo 'starting the app'; echo 'config error: port is not a number' >&2; sleep 600");

    @Test
    void failsAndShowsTheLog() {
        app.waitForLog(Pattern.compile("config error"), Duration.ofSeconds(10));
        assertEquals("healthy", "broken", "the app did not come up");
    }
}
