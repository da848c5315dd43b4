package dev.jrun.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a test that cannot make its real check (a tool, privilege or kernel feature
 * is missing): in a strict run it FAILS, otherwise it is skipped (reported as aborted), and in
 * both cases it says why. It never passes.
 *
 * <p>A run is strict when {@code JRUN_TEST_STRICT} or {@code CI} is set to anything but empty,
 * {@code 0}, {@code false} or {@code no} (any case). {@code .ci/test-all} exports
 * {@code JRUN_TEST_STRICT=1} itself, because {@code sudo .ci/test-all} clears the caller's
 * environment; CI systems set {@code CI=true}.
 *
 * <p>Every skip in the test sources goes through here: no {@code Assumptions},
 * {@code @Disabled}/{@code @EnabledIf} or reads of {@code CI} elsewhere.
 */
public final class Environment {
    /** The variables that make a run strict, in the order they are reported. */
    static final List<String> STRICT_VARIABLES = List.of("JRUN_TEST_STRICT", "CI");

    private Environment() {
    }

    /** Whether a check that cannot be made fails (true) rather than skips. */
    public static boolean strict() {
        return strictBecause(System.getenv()).isPresent();
    }

    /**
     * The first variable of {@link #STRICT_VARIABLES} that makes {@code env} strict, as
     * {@code NAME=value}; empty when none does.
     */
    static Optional<String> strictBecause(Map<String, String> env) {
        for (String name : STRICT_VARIABLES) {
            String value = env.get(name);
            if (value != null && isOn(value)) {
                return Optional.of(name + "=" + value);
            }
        }
        return Optional.empty();
    }

    private static boolean isOn(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        return !(v.isEmpty() || v.equals("0") || v.equals("false") || v.equals("no"));
    }

    /** Goes on when {@code condition} holds; otherwise {@link #cannotCheck}{@code (what)}. */
    public static void require(boolean condition, String what) {
        if (!condition) {
            cannotCheck(what);
        }
    }

    /**
     * Ends the test because its real check cannot be made here: fails in a strict run, is
     * skipped otherwise. {@code what} says what is missing and how to get it.
     */
    public static void cannotCheck(String what) {
        cannotCheck(what, System.getenv());
    }

    static void cannotCheck(String what, Map<String, String> env) {
        Optional<String> because = strictBecause(env);
        if (because.isPresent()) {
            fail("cannot make this test's check: " + what + "\n(a skip counts as a failure because "
                    + because.get() + ")");
        }
        Assumptions.abort("skipped, its check cannot be made here: " + what
                + " (JRUN_TEST_STRICT=1, which .ci/test-all sets, makes this a failure)");
    }
}
