package dev.jrun.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.cli.RunArguments;
import dev.jrun.container.RunRequest;
import dev.jrun.errors.JrunException;
import dev.jrun.runtime.Network;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The library's options are `jrun run`'s: generated as its arguments and parsed by RunCommand. */
class JrunContainerTest {
    @Test
    void optionsBecomeRunArgumentsBeforeTheRootAndTheCommand() {
        JrunContainer c = Jrun.local().containerFromRootfs(Path.of("/srv/root"))
                .withEnv("A", "1").withWorkdir("/w").withUser("user").withReadOnlyVolume(Path.of("/data"), "/d")
                .withReadOnlyRoot().withNetwork("none").withStopTimeout(Duration.ofSeconds(3))
                .withCommand("sh", "-c", "echo hi");
        assertEquals(List.of("--detach", "--env", "A=1", "--workdir", "/w", "--user", "user", "--volume", "/data:/d:ro",
                "--read-only", "--network", "none", "--stop-timeout", "3", "--rootfs", "/srv/root", "sh", "-c", "echo hi"),
                c.runArguments());
    }

    @Test
    void commandLineParsingGivesTheSameRequest() throws JrunException {
        JrunContainer c = Jrun.local().container("docker.io/library/busybox").withEntrypoint("/bin/sh")
                .withEnv("A", "1").withName("web").withCommand("-c", "true");
        RunRequest r = RunArguments.parse(c.runArguments());
        assertEquals(Optional.of("docker.io/library/busybox"), r.image());
        assertEquals(List.of("-c", "true"), r.args());
        assertEquals(Optional.of("web"), r.name());
        assertEquals(Optional.of(List.of("/bin/sh")), r.spec().entrypoint());
        assertEquals(List.of("A=1"), r.spec().env());
        assertTrue(r.detach());
        assertEquals(RunArguments.parse(List.of("-d", "--rootfs", "/", "true")).spec().network().mode(),
                r.spec().network().mode(), "the command line's default network");
        assertEquals(c.runArguments(), r.runArguments(), "recorded for jrun start as the command line records them");
    }

    @Test
    void anUnknownOptionFailsWithTheCommandLinesMessage() {
        JrunException e = assertThrows(JrunException.class, () -> RunArguments.parse(List.of("--no-such-option", "x")));
        assertTrue(e.getMessage().startsWith("Unknown option: '--no-such-option'"), e.getMessage());
        assertEquals(125, e.exitCode());
    }

    @Test
    void failuresAreTypedByTheirExitCode() {
        assertInstanceOf(CommandNotFoundException.class, JrunApiException.of(new JrunException(127, "not found", null)));
        assertInstanceOf(CannotInvokeException.class, JrunApiException.of(new JrunException(126, "denied", null)));
        JrunApiException other = JrunApiException.of(new JrunException("bad -v"));
        assertEquals(125, other.exitCode());
        assertEquals("bad -v", other.getMessage());
        assertEquals(JrunApiException.class, other.getClass());
    }

    @Test
    void aRegistrysNotFoundForAManifestIsAnImageNotFoundOneForABlobIsNot() {
        var manifest = new dev.jrun.registry.RegistryException(dev.jrun.registry.RegistryException.Kind.NOT_FOUND, 404,
                "fetch manifest r/x:1: manifest r/x:1 not found; check the name and tag", null);
        JrunApiException e = JrunApiException.of(manifest);
        assertInstanceOf(ImageNotFoundException.class, e);
        assertEquals(manifest.getMessage(), e.getMessage());
        // Several mirrors tried: the resolver's summary, caused by the last one's "not found".
        assertInstanceOf(ImageNotFoundException.class,
                JrunApiException.of(new JrunException("pull x: no registry served it; tried: ...", manifest)));
        var blob = new dev.jrun.registry.RegistryException(dev.jrun.registry.RegistryException.Kind.NOT_FOUND, 404,
                "fetch blob: blob sha256:ab not found; the registry lacks a blob the image's manifest references", null);
        assertEquals(JrunApiException.class, JrunApiException.of(blob).getClass());
        var denied = new dev.jrun.registry.RegistryException(dev.jrun.registry.RegistryException.Kind.DENIED, 403,
                "access denied", null);
        assertEquals(JrunApiException.class, JrunApiException.of(denied).getClass());
    }

    @Test
    void aContainerIsConfiguredBeforeItStartsAndUsedAfter() {
        JrunContainer c = Jrun.local().containerFromRootfs(Path.of("/srv/root"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.exec("true"));
        assertTrue(e.getMessage().contains("start()"), e.getMessage());
        c.close();   // closing one that never started is nothing
    }

    @Test
    void progressLinesArriveWhole() {
        List<String> lines = new java.util.ArrayList<>();
        Images.LineSplitter s = new Images.LineSplitter(lines::add);
        s.write("Pulling a\nCopy".getBytes(), 0, 14);
        s.write("ing blob b\n".getBytes(), 0, 11);
        s.write("tail".getBytes(), 0, 4);
        s.close();
        assertEquals(List.of("Pulling a", "Copying blob b", "tail"), lines);
    }
}
