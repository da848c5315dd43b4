package dev.jrun.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** One rule, with one meaning, decides whether a test may skip a check it cannot make. */
class EnvironmentTest {

    @Test
    void ciOrJrunTestStrictMakeARunStrictUnlessTheySayNo() {
        assertEquals(Optional.empty(), Environment.strictBecause(Map.of()));
        for (String off : List.of("", "0", "false", "FALSE", "no", " No ")) {
            assertEquals(Optional.empty(), Environment.strictBecause(Map.of("CI", off)), "CI=" + off);
            assertEquals(Optional.empty(), Environment.strictBecause(Map.of("JRUN_TEST_STRICT", off)), off);
        }
        for (String on : List.of("true", "1", "yes", "github-actions")) {
            assertEquals(Optional.of("CI=" + on), Environment.strictBecause(Map.of("CI", on)));
            assertEquals(Optional.of("JRUN_TEST_STRICT=" + on), Environment.strictBecause(Map.of("JRUN_TEST_STRICT", on)));
        }
        assertEquals(Optional.of("JRUN_TEST_STRICT=1"),
                Environment.strictBecause(Map.of("JRUN_TEST_STRICT", "1", "CI", "true")));
        assertEquals(Optional.of("CI=true"), Environment.strictBecause(Map.of("JRUN_TEST_STRICT", "0", "CI", "true")));
    }

    @Test
    void aCheckThatCannotBeMadeFailsInAStrictRunAndIsSkippedOtherwiseBothWithTheReason() {
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> Environment.cannotCheck("no /usr/bin/htpasswd", Map.of("JRUN_TEST_STRICT", "1")));
        assertTrue(failed.getMessage().contains("no /usr/bin/htpasswd"), failed.getMessage());
        assertTrue(failed.getMessage().contains("JRUN_TEST_STRICT=1"), failed.getMessage());
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> Environment.cannotCheck("no /usr/bin/htpasswd", Map.of("CI", "false")));
        assertTrue(skipped.getMessage().contains("no /usr/bin/htpasswd"), skipped.getMessage());
        assertTrue(skipped.getMessage().contains("JRUN_TEST_STRICT=1"), skipped.getMessage());
    }

    /**
     * .ci/provision-debian creates every test user and sets their ranges: a test that ran
     * useradd would rewrite /etc/subuid sorted by start (Debian's shadow does), undoing the
     * order of bob's lines, and usermod fails while the user has processes.
     */
    @Test
    void noTestCreatesOrChangesUsers() throws IOException {
        assertEquals(List.of(), occurrences(List.of("\"useradd\"", "\"usermod\"", "\"userdel\"", "\"adduser\""),
                List.of()), "create and change test users in .ci/provision-debian, not in tests");
    }

    /** "file:line: word" for each line of the test sources (but {@code except}) holding a word. */
    private static List<String> occurrences(List<String> words, List<Path> except) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                if (except.contains(file)) continue;
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    for (String word : words) {
                        if (lines.get(i).contains(word)) found.add(file + ":" + (i + 1) + ": " + word);
                    }
                }
            }
        }
        return found;
    }

    /**
     * The rule has one owner: no other test file skips by itself (JUnit's assumptions or
     * conditional annotations) or reads CI, where it could give the rule another meaning.
     */
    @Test
    void noTestSkipsOtherThanThroughEnvironment() throws IOException {
        List<String> forbidden = List.of("Assumptions", "assumeTrue", "assumeFalse", "assumingThat", "@Disabled",
                "@EnabledIf", "@DisabledIf", "@EnabledOn", "@DisabledOn", "getenv(\"CI\")");
        Path here = Path.of("src/test/java/dev/jrun/testing");
        List<String> found = occurrences(forbidden, List.of(here.resolve("Environment.java"), here.resolve("EnvironmentTest.java")));
        assertTrue(found.isEmpty(), "skip only through dev.jrun.testing.Environment (require/cannotCheck): " + found);
    }

    /** sudo clears the environment: the README's test command must make the run strict itself. */
    @Test
    void theReadmesTestCommandRunsStrict() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(".ci/test-all"));
        int strict = lines.indexOf("export JRUN_TEST_STRICT=1");
        int mvn = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("mvn ")) mvn = i;
        }
        assertTrue(strict >= 0 && mvn > strict, ".ci/test-all must export JRUN_TEST_STRICT=1 before it runs mvn");
    }
}
