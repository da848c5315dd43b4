package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.api.ExecResult;
import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One busybox httpd for the whole class, serving a file from a read-only volume. */
@JrunTest
class WebServerTest {
    static final int PORT = BusyboxRootfs.freePort();
    static final Path SITE = site();

    @Container
    static JrunContainer web = Jrun.local().containerFromRootfs(BusyboxRootfs.get())
            .withReadOnlyVolume(SITE, "/www")
            .withCommand("httpd", "-f", "-v", "-p", Integer.toString(PORT), "-h", "/www")
            .withExposedPort(PORT);

    @Test
    void servesTheFileFromTheVolume() throws Exception {
        web.waitForPort(PORT, Duration.ofSeconds(10));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + web.host() + ":" + web.mappedPort(PORT) + "/index.html")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello from the volume\n", r.body());
    }

    @Test
    void filesHaveTheOwnersTheUserNamespaceGives(JrunContainer web) {
        // The volume's file is the test user's on the host: root's in the container.
        assertEquals("root\n", web.exec("stat", "-c", "%U", "/www/index.html").stdout());
        // A file the container's user 1000 makes is theirs inside (a subordinate UID outside).
        ExecResult made = web.execAs("user", "sh", "-c", "touch /tmp/mine && stat -c %U:%G /tmp/mine");
        assertEquals(0, made.exitCode(), made.stderr());
        assertEquals("user:user\n", made.stdout());
    }

    @Test
    void copiesFilesInAndOutThroughTheContainer(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        web.copyTo("copied in\n".getBytes(), "/tmp/in.txt");
        assertEquals("copied in\n", web.exec("cat", "/tmp/in.txt").stdout());
        web.copyFrom("/tmp/in.txt", tmp.resolve("out.txt"));
        assertEquals("copied in\n", Files.readString(tmp.resolve("out.txt")));
    }

    private static Path site() {
        try {
            Path dir = Files.createTempDirectory("jrun-example-site-");
            Files.writeString(dir.resolve("index.html"), "hello from the volume\n");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> BusyboxRootfs.delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
