package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With one test instance for the class, an instance field's container serves every test. */
@JrunTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerClassInstanceTest {
    final Set<String> seen = new HashSet<>();

    @Container
    JrunContainer shared = Jrun.local().containerFromRootfs(BusyboxRootfs.get()).withCommand("sleep", "600");

    @Test
    void first() {
        assertEquals(0, shared.exec("true").exitCode());
        seen.add(shared.id());
    }

    @Test
    void second() {
        assertEquals(0, shared.exec("true").exitCode());
        seen.add(shared.id());
    }

    @AfterAll
    void oneContainerForBoth() {
        assertEquals(1, seen.size(), "containers seen: " + seen);
    }
}
