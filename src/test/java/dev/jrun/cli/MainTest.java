package dev.jrun.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void imageFirstIsShortForRun() {
        assertArrayEquals(new String[] {"run", "alpine", "cat", "/proc/self/uid_map"},
                Main.withImplicitRun(new String[] {"alpine", "cat", "/proc/self/uid_map"}));
        assertArrayEquals(new String[] {"--root", "/s", "run", "alpine"},
                Main.withImplicitRun(new String[] {"--root", "/s", "alpine"}));
        assertArrayEquals(new String[] {"run", "--rootfs", "/r", "sh"},
                Main.withImplicitRun(new String[] {"run", "--rootfs", "/r", "sh"}));
        assertArrayEquals(new String[] {"--help"}, Main.withImplicitRun(new String[] {"--help"}));
        assertArrayEquals(new String[] {"run", "-q", "-e", "A=1", "alpine", "env"},
                Main.withImplicitRun(new String[] {"-q", "-e", "A=1", "alpine", "env"}));
        assertArrayEquals(new String[] {"--root=/s", "images"}, Main.withImplicitRun(new String[] {"--root=/s", "images"}));
    }

    @Test
    void onlyTheSelectedSubcommandIsRegisteredButHelpSeesAll() {
        assertEquals(java.util.Set.of("run"), Main.commandLine(new String[] {"run", "--rootfs", "/r", "x"})
                .getSubcommands().keySet());
        assertTrue(Main.commandLine(new String[] {"--help"}).getSubcommands().keySet().containsAll(
                JrunCommand.SUBCOMMANDS));
        assertTrue(Main.commandLine(new String[] {"help", "run"}).getSubcommands().containsKey("unshare"));
    }

    /** jrun --version skips picocli; what it prints must be what picocli prints, JVM and backend included. */
    @Test
    void versionPrintsWhatPicocliWouldWithoutBuildingTheModel() {
        StringWriter picocli = new StringWriter();
        CommandLine cli = Main.commandLine(new String[] {"--version"});
        cli.setOut(new PrintWriter(picocli));
        assertEquals(0, cli.execute("--version"));
        var fast = new java.io.ByteArrayOutputStream();
        var stdout = System.out;
        System.setOut(new java.io.PrintStream(fast, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.execute(new String[] {"--version"}));
            assertEquals(0, Main.execute(new String[] {"-V"}));
        } finally {
            System.setOut(stdout);
        }
        String once = picocli.toString().replace(System.lineSeparator(), "\n");
        assertEquals(once + once, fast.toString(java.nio.charset.StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
        assertTrue(once.contains("JVM: ") && once.contains("syscalls: " + dev.jrun.sys.SyscallsFactory.backend()), once);
        assertTrue(Main.commandLine(new String[] {"--version"}).getSubcommands().isEmpty(), "--version builds no subcommand");
    }

    @Test
    void optionsAfterTheCommandBelongToTheContainer() {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult r = cli.parseArgs("run", "-e", "A=1", "--rootfs", "/r", "-v", "/h:/c:ro",
                "--network", "none", "-t", "ls", "-l", "--rootfs", "x");
        RunCommand run = (RunCommand) r.subcommand().commandSpec().userObject();
        assertEquals(Path.of("/r"), run.rootfs);
        assertEquals(List.of("A=1"), run.env);
        assertEquals(List.of("/h:/c:ro"), run.volumes);
        assertEquals("none", run.network);
        assertTrue(run.tty);
        assertEquals(List.of("ls", "-l", "--rootfs", "x"), run.positional);
    }

    @Test
    void unknownOptionIs125WithAHint() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int status = cli.execute("run", "--rootfz", "/r", "true");
        assertEquals(125, status);
        assertTrue(err.toString().contains("Unknown option: '--rootfz'"), err.toString());
        assertTrue(err.toString().contains("--rootfs"), "suggests the right spelling: " + err);
    }

    @Test
    void badNetworkModeIs125() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(125, cli.execute("run", "--network", "bridge", "--rootfs", "/", "true"));
        assertTrue(err.toString().contains("--network bridge: rootless jrun has no bridge networks"), err.toString());
    }

    /** jrun run --root X records --root among run's arguments; jrun start parses them again, alone. */
    @Test
    void recordedRunArgumentsWithGlobalOptionsParseAgain() {
        RunCommand run = new RunCommand();
        RunOptions.commandLine(run).parseArgs("--root", "/elsewhere", "--storage-driver", "vfs", "--rootfs", "/r", "-e", "A=1",
                "true");
        assertEquals(Path.of("/r"), run.rootfs);
        assertEquals(List.of("A=1"), run.env);
        assertEquals(List.of("true"), run.positional);
    }
}
