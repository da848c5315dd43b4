package dev.jrun.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's complete test is examples/junit's HelloTest, which .ci/test-junit-example runs:
 * the two cannot drift apart, so the snippet a reader copies is one that passes.
 */
class ReadmeExampleTest {
    private static final String SECTION = "## In Java tests: jrun as a library";
    private static final Path TEST = Path.of("examples/junit/src/test/java/example/HelloTest.java");

    @Test
    void theReadmesTestIsTheExampleProjectsHelloTestAndHasFewerThan20Lines() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf(SECTION);
        assertTrue(section >= 0, "README.md has no section \"" + SECTION + "\"");
        int start = readme.indexOf("```java\n", section);
        assertTrue(start >= 0, "README.md's section \"" + SECTION + "\" has no ```java block");
        start += "```java\n".length();
        String snippet = readme.substring(start, readme.indexOf("```\n", start));

        String file = Files.readString(TEST);
        String header = "package example;\n\n";
        assertTrue(file.startsWith(header), TEST + " starts with \"" + header.strip() + "\" and then the README's snippet");
        assertEquals(snippet, file.substring(header.length()),
                "README.md's complete test and " + TEST + " differ: change both (the CI runs the file)");
        assertTrue(snippet.lines().count() < 20, "the README promises a complete test in under 20 lines");
        assertTrue(snippet.contains("@Test"), snippet);
    }
}
