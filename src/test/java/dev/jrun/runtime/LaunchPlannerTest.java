package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.RecordingSyscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchPlannerTest {
    @TempDir Path tmp;
    final List<String> warnings = new ArrayList<>();

    final RecordingSyscalls sys = new RecordingSyscalls();

    private LaunchPlan plan(RunSpec spec) throws Exception {
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, sys, warnings::add).plan(spec);
    }

    @Test
    void newuidmapWithoutSetuidOrCapabilitiesIsRefused() throws Exception {
        sys.fileCapabilities = false;
        JrunException e = assertThrows(JrunException.class, () -> plan(spec(List.of("true"))));
        assertTrue(e.getMessage().contains("neither setuid root nor has file capabilities"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install --reinstall uidmap"), e.getMessage());
    }

    private RunSpec spec(List<String> command) throws Exception {
        return Fixtures.spec(Fixtures.rootfs(tmp.resolve("root")), command);
    }

    private static RunSpec with(RunSpec s, Optional<String> user, List<String> env, List<String> volumes) {
        return new RunSpec(s.rootfs(), s.image(), s.command(), s.entrypoint(), env, s.envFiles(), s.workdir(), user,
                s.hostname(), s.readOnly(), volumes, s.network(), s.tty(), s.interactive(), s.usernsRemap(),
                s.stopTimeoutSeconds());
    }

    @Test
    void commandIsLookedUpInThePathLikeExecvp() throws Exception {
        LaunchPlan p = plan(spec(List.of("cat", "/proc/self/uid_map")));
        assertEquals(List.of("cat", "/proc/self/uid_map"), p.argv());
        assertEquals("/usr/local/sbin/cat", p.executableCandidates().get(0));
        assertEquals("/bin/cat", p.executableCandidates().get(5));
        assertEquals(List.of("/bin/sh"), plan(spec(List.of("/bin/sh"))).executableCandidates());
    }

    @Test
    void defaultsAreContainerRootInSlashWithPodmansEnvironment() throws Exception {
        LaunchPlan p = plan(spec(List.of("true")));
        assertEquals(new ProcessIdentity(0, 0, List.of(), "/root"), p.identity());
        assertEquals("/", p.workdir());
        assertEquals("box", p.hostname());
        assertTrue(p.env().contains("PATH=" + LaunchPlanner.DEFAULT_PATH));
        assertTrue(p.env().contains("HOSTNAME=box"));
        assertTrue(p.env().contains("HOME=/root"));
        assertEquals(StdioMode.NO_STDIN, p.stdio());
        assertEquals("0 1000 1\n1 100000 65536\n", p.userNamespace().uidMap().procText());
    }

    @Test
    void userByNameGetsItsPrimaryAndSupplementaryGroups() throws Exception {
        LaunchPlan p = plan(with(spec(List.of("id")), Optional.of("app"), List.of(), List.of()));
        // As podman: the primary group leads the supplementary list (groups=1000(app),5(tty),50(staff)).
        assertEquals(new ProcessIdentity(1000, 1000, List.of(1000L, 5L, 50L), "/home/app"), p.identity());
        LaunchPlan numeric = plan(with(spec(List.of("id")), Optional.of("1000:50"), List.of(), List.of()));
        assertEquals(new ProcessIdentity(1000, 50, List.of(50L), "/home/app"), numeric.identity());
        LaunchPlan unknownUid = plan(with(spec(List.of("id")), Optional.of("4000"), List.of(), List.of()));
        assertEquals(new ProcessIdentity(4000, 0, List.of(0L), "/"), unknownUid.identity());
        LaunchPlan root = plan(with(spec(List.of("id")), Optional.of("0"), List.of(), List.of()));
        assertEquals(List.of(0L), root.identity().supplementaryGroups(), "podman: -u 0 gives Groups: 0");
        assertEquals(List.of(), plan(spec(List.of("id"))).identity().supplementaryGroups(), "no -u: none");
    }

    @Test
    void unknownUserAndUnmappedUidAreClearErrors() throws Exception {
        JrunException unknown = assertThrows(JrunException.class,
                () -> plan(with(spec(List.of("id")), Optional.of("nobody2"), List.of(), List.of())));
        assertTrue(unknown.getMessage().contains("no such user in the container's /etc/passwd"));
        JrunException unmapped = assertThrows(JrunException.class,
                () -> plan(with(spec(List.of("id")), Optional.of("70000"), List.of(), List.of())));
        assertTrue(unmapped.getMessage().contains("UID 70000 is not mapped"), unmapped.getMessage());
        assertTrue(unmapped.getMessage().contains("0-65536"), unmapped.getMessage());
        assertEquals(125, unmapped.exitCode());
    }

    @Test
    void passwdThroughASymlinkIsNotFollowedToTheHost() throws Exception {
        Path root = tmp.resolve("evil");
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        RunSpec s = with(Fixtures.spec(root, List.of("id")), Optional.of("root"), List.of(), List.of());
        // The host's /etc/passwd has root; the container's /etc is a symlink jrun must not follow.
        assertThrows(JrunException.class, () -> plan(s));
    }

    @Test
    void environmentPrecedenceAndHostValues() throws Exception {
        Path envFile = tmp.resolve("env");
        Files.writeString(envFile, "# comment\nFROM_FILE=1\nOVERRIDDEN=file\n\nHOST_ONLY\n");
        RunSpec s = spec(List.of("env"));
        s = new RunSpec(s.rootfs(), new ContainerDefaults(List.of(), List.of(), List.of("PATH=/image/bin", "IMG=1"),
                Optional.empty(), Optional.empty(), Optional.empty()), s.command(), s.entrypoint(),
                List.of("OVERRIDDEN=flag", "UNSET_ON_HOST"), List.of(envFile), s.workdir(), s.user(), s.hostname(),
                false, List.of(), Network.HOST, true, false, Optional.empty(), 10);
        LaunchPlan p = plan(s);
        assertTrue(p.env().contains("PATH=/image/bin"));
        assertTrue(p.env().contains("IMG=1"));
        assertTrue(p.env().contains("FROM_FILE=1"));
        assertTrue(p.env().contains("OVERRIDDEN=flag"));
        assertTrue(p.env().contains("HOST_ONLY=from-host"));
        assertTrue(p.env().contains("TERM=xterm"), "podman's TERM, not the caller's: " + p.env());
        assertFalse(p.env().stream().anyMatch(e -> e.startsWith("UNSET_ON_HOST")));
        assertEquals("/image/bin/env", p.executableCandidates().get(0));
    }

    @Test
    void volumeSpecsAreCheckedBeforeAnythingStarts() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        LaunchPlan p = plan(with(spec(List.of("true")), Optional.empty(), List.of(),
                List.of(data + ":/data:ro", data + "/:/srv/x/")));
        assertEquals(new Volume(data, "/data", true, true), p.volumes().get(0));
        assertEquals(new Volume(data, "/srv/x", false, true), p.volumes().get(1));
        for (String bad : List.of("/nope-" + System.nanoTime() + ":/data", data + ":relative", data + ":/d:rx",
                data.toString(), data + ":/")) {
            JrunException e = assertThrows(JrunException.class,
                    () -> plan(with(spec(List.of("true")), Optional.empty(), List.of(), List.of(bad))), bad);
            assertTrue(e.getMessage().startsWith("--volume " + bad), e.getMessage());
        }
    }

    @Test
    void missingOrNonDirectoryRootfsIsRefused() throws Exception {
        JrunException missing = assertThrows(JrunException.class,
                () -> plan(Fixtures.spec(tmp.resolve("none"), List.of("true"))));
        assertTrue(missing.getMessage().contains("no such directory"));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        JrunException notDir = assertThrows(JrunException.class, () -> plan(Fixtures.spec(file, List.of("true"))));
        assertTrue(notDir.getMessage().contains("not a directory"));
    }

    @Test
    void noCommandAtAllIsAnError() throws Exception {
        JrunException e = assertThrows(JrunException.class, () -> plan(spec(List.of())));
        assertTrue(e.getMessage().startsWith("no command to run"));
    }

    @Test
    void imageEntrypointAndCmdCombineAsInPodman() throws Exception {
        RunSpec s = spec(List.of());
        ContainerDefaults image = new ContainerDefaults(List.of("/entry"), List.of("default-arg"), List.of(),
                Optional.of("/work"), Optional.of("app"), Optional.of("SIGQUIT"));
        RunSpec fromImage = new RunSpec(s.rootfs(), image, List.of(), Optional.empty(), List.of(), List.of(),
                Optional.empty(), Optional.empty(), s.hostname(), false, List.of(), Network.HOST, false, false,
                Optional.empty(), 10);
        LaunchPlan p = plan(fromImage);
        assertEquals(List.of("/entry", "default-arg"), p.argv());
        assertEquals("/work", p.workdir());
        assertEquals(1000, p.identity().uid());
        assertEquals(3, p.stopSignal());
        RunSpec args = new RunSpec(s.rootfs(), image, List.of("x"), Optional.empty(), List.of(), List.of(),
                Optional.empty(), Optional.empty(), s.hostname(), false, List.of(), Network.HOST, false, false,
                Optional.empty(), 10);
        assertEquals(List.of("/entry", "x"), plan(args).argv());
        RunSpec newEntry = new RunSpec(s.rootfs(), image, List.of(), Optional.of(List.of("/bin/sh")), List.of(),
                List.of(), Optional.empty(), Optional.empty(), s.hostname(), false, List.of(), Network.HOST, false,
                false, Optional.empty(), 10);
        assertEquals(List.of("/bin/sh"), plan(newEntry).argv());
    }

    @Test
    void capabilitiesOutsidePodmansDefaultSetAreDropped() throws Exception {
        LaunchPlan p = plan(spec(List.of("true")));
        assertTrue(p.droppedCapabilities().contains(21));   // CAP_SYS_ADMIN
        assertTrue(p.droppedCapabilities().contains(13));   // CAP_NET_RAW
        assertFalse(p.droppedCapabilities().contains(0));   // CAP_CHOWN stays
        assertEquals(41 - LaunchPlanner.DEFAULT_CAPABILITIES.size(), p.droppedCapabilities().size());
    }
}
