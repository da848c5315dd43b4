package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The library takes the JVM's backend: JNA on JDK 17-21, Panama (java.lang.foreign) on 22+.
 * Runs when -Djrun.example.syscalls names the one expected (CI runs this project on both JDKs).
 */
@JrunTest
@EnabledIfSystemProperty(named = "jrun.example.syscalls", matches = ".+")
class SyscallsBackendTest {
    @Container
    JrunContainer box = Jrun.local().containerFromRootfs(BusyboxRootfs.get()).withCommand("sleep", "600");

    @Test
    void theContainersRunThroughTheBackendOfThisJvm() {
        assertEquals(System.getProperty("jrun.example.syscalls"), Jrun.syscalls(), "Java " + Runtime.version());
        assertEquals("ok\n", box.exec("echo", "ok").stdout());
    }
}
