package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import dev.jrun.api.*;
import dev.jrun.junit.*;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@JrunTest
class HelloTest {
    @Container static JrunContainer web = Jrun.local().containerFromRootfs(Path.of("/srv/busybox-rootfs"))
            .withCommand("httpd", "-f", "-p", "8080").withExposedPort(8080);

    @Test void answers() {
        web.waitForPort(8080, Duration.ofSeconds(10));
        assertEquals("root\n", web.exec("id", "-un").stdout());
    }
}
