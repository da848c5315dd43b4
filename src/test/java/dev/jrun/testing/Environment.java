package dev.jrun.testing;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a test needs from the machine. Missing pieces skip the test on a developer's machine but
 * FAIL it in CI (the CI environment variable set), so CI never passes without the real check.
 */
public final class Environment {
    private Environment() {
    }

    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false");
    }

    /** Skips (developer machine) or fails (CI) unless {@code condition} holds. */
    public static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if (inCi()) {
            fail("required for this test in CI: " + what);
        }
        Assumptions.abort("skipped outside CI: " + what);
    }
}
