package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.api.ContainerTimeoutException;
import dev.jrun.api.ExecResult;
import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Containers per test: a log wait, and two containers at once talking over the (host's) network. */
@JrunTest
class LogAndPairTest {
    final int serverPort = BusyboxRootfs.freePort();

    // Both on the host's network, so the client reaches the server's port through the host's
    // loopback (each container gets a private network of its own by default).
    @Container
    JrunContainer server = Jrun.local().containerFromRootfs(BusyboxRootfs.get()).withNetwork("host")
            .withCommand("sh", "-c", "mkdir -p /tmp/site && echo pong > /tmp/site/ping && sleep 1 && "
                    + "echo 'server is ready' && exec httpd -f -p " + serverPort + " -h /tmp/site");

    @Container
    JrunContainer client = Jrun.local().containerFromRootfs(BusyboxRootfs.get()).withNetwork("host")
            .withCommand("sleep", "600");

    @Test
    void waitsForALogLine() {
        assertEquals("server is ready", server.waitForLog(Pattern.compile("is ready"), Duration.ofSeconds(10)));
        ContainerTimeoutException e = assertThrows(ContainerTimeoutException.class,
                () -> server.waitForLog(Pattern.compile("never printed"), Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("server is ready"), e.getMessage());
    }

    @Test
    void twoContainersAtOnce(@Container("client") JrunContainer client) {
        server.waitForPort(serverPort, Duration.ofSeconds(10));
        ExecResult got = client.exec("wget", "-q", "-O", "-", "http://127.0.0.1:" + serverPort + "/ping");
        assertEquals(0, got.exitCode(), got.stderr());
        assertEquals("pong\n", got.stdout());
        assertFalse(server.id().equals(client.id()));
    }

    @Test
    void followsTheLogAndStops() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (var follower = server.followLogs(lines::add)) {
            server.waitForLog(Pattern.compile("is ready"), Duration.ofSeconds(10));
            server.stop(Duration.ofSeconds(2));
            follower.awaitEnd();
        }
        assertEquals(List.of("server is ready"), lines);
        assertTrue(server.exitCode().isPresent());
    }

    @Test
    void aKilledContainerEndsWithTheSignalsStatus() {
        server.waitForLog(Pattern.compile("is ready"), Duration.ofSeconds(10));
        server.kill("KILL");
        assertEquals(128 + 9, server.waitFor());
        assertEquals(128 + 9, server.exitCode().getAsInt());
        assertFalse(server.isRunning());
    }
}
