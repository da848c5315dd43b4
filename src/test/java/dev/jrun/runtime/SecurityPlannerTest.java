package dev.jrun.runtime;

import static dev.jrun.sys.Linux.SIGKILL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import dev.jrun.sys.RecordingSyscalls;
import dev.jrun.sys.SeccompRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cap-add/--cap-drop/--privileged/--security-opt as podman reads them, and where the filter goes in the script. */
class SecurityPlannerTest {
    @TempDir Path tmp;
    final RecordingSyscalls sys = new RecordingSyscalls();

    private LaunchPlan plan(Optional<String> user, Network network, SecurityOptions security) throws Exception {
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        Files.createDirectories(root.resolve("run"));
        RunSpec s = new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("sh"), Optional.empty(),
                List.of(), List.of(), Optional.empty(), user, Optional.of("box"), false, List.of(), network, false,
                false, Optional.empty(), 10, security);
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, sys, w -> { }).plan(s);
    }

    private LaunchPlan plan(SecurityOptions security) throws Exception {
        return plan(Optional.empty(), Network.HOST, security);
    }

    private static SecurityOptions caps(List<String> add, List<String> drop) {
        return new SecurityOptions(add, drop, false, List.of());
    }

    private static SecurityOptions opts(String... securityOpts) {
        return new SecurityOptions(List.of(), List.of(), false, List.of(securityOpts));
    }

    private static List<Op> script(LaunchPlan plan) {
        return ContainerScript.compile(plan, new ContainerScript.Descriptors(7, 8, 150, 200, null));
    }

    private static List<Integer> allBut(int... kept) {
        return IntStream.rangeClosed(0, 40).filter(c -> IntStream.of(kept).noneMatch(k -> k == c)).boxed().toList();
    }

    @Test
    void capabilitiesMergeAsPodmanMergesThem() throws Exception {
        assertEquals(allBut(), plan(caps(List.of(), List.of("ALL"))).droppedCapabilities());
        assertEquals(allBut(12), plan(caps(List.of("net_admin"), List.of("all"))).droppedCapabilities());
        // The defaults less CHOWN, plus SYS_PTRACE (names with or without CAP_, any case).
        assertEquals(allBut(1, 3, 4, 5, 6, 7, 8, 10, 18, 19, 31),
                plan(caps(List.of("CAP_SYS_PTRACE"), List.of("chown"))).droppedCapabilities());
        assertEquals(allBut(0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31), plan(SecurityOptions.DEFAULT).droppedCapabilities());
        assertEquals(List.of(21), plan(caps(List.of("ALL"), List.of("SYS_ADMIN"))).droppedCapabilities());

        JrunException unknown = assertThrows(JrunException.class, () -> plan(caps(List.of("SYS_EVERYTHING"), List.of())));
        assertTrue(unknown.getMessage().startsWith("--cap-add SYS_EVERYTHING: not a capability name"), unknown.getMessage());
        JrunException both = assertThrows(JrunException.class, () -> plan(caps(List.of("ALL"), List.of("ALL"))));
        assertTrue(both.getMessage().contains("--cap-add ALL and --cap-drop ALL together"), both.getMessage());
    }

    @Test
    void privilegedKeepsEveryCapabilityMasksNothingAndRunsUnconfined() throws Exception {
        LaunchPlan p = plan(new SecurityOptions(List.of(), List.of(), true, List.of()));
        assertEquals(List.of(), p.droppedCapabilities());
        assertEquals(List.of(), p.maskedFiles());
        assertEquals(List.of(), p.maskedDirectories());
        assertEquals(List.of(), p.readOnlyPaths());
        assertTrue(p.security().seccomp().isEmpty());
        assertNull(sys.compiledSeccomp, "nothing compiled for an unconfined container");
        assertFalse(script(p).stream().anyMatch(o -> o instanceof Op.Seccomp));
        assertTrue(new String(p.etcFiles().stream().filter(f -> f.path().equals("/run/.containerenv")).findFirst()
                .orElseThrow().content()).contains("engine=\"jrun\""));
    }

    @Test
    void theFilterFollowsTheBoundingSet() throws Exception {
        LaunchPlan p = plan(SecurityOptions.DEFAULT);
        // containers.conf names a file that does not exist (Fixtures): podman's profile as jrun carries it.
        assertEquals(dev.jrun.seccomp.ProfileLocator.BUILT_IN_NAME, p.security().seccomp().orElseThrow().source());
        assertTrue(sys.compiledSeccomp.rules().contains(
                new SeccompRules.Rule("perf_event_open", SeccompRules.errno(1), List.of())));
        plan(caps(List.of("SYS_ADMIN"), List.of()));
        assertTrue(sys.compiledSeccomp.rules().contains(
                new SeccompRules.Rule("perf_event_open", SeccompRules.ACT_ALLOW, List.of())));
        sys.compiledSeccomp = null;
        assertTrue(plan(opts("seccomp=unconfined")).security().seccomp().isEmpty());
        assertNull(sys.compiledSeccomp);
    }

    @Test
    void forRootTheFilterIsTheLastStepBeforeExecAfterAFreshKeyring() throws Exception {
        List<Op> ops = script(plan(SecurityOptions.DEFAULT));
        int n = ops.size();
        assertInstanceOf(Op.Exec.class, ops.get(n - 1));
        assertInstanceOf(Op.Seccomp.class, ops.get(n - 2));
        assertEquals(new Op.ParentDeathSignal(SIGKILL), ops.get(n - 3));
        assertEquals(new Op.SetResUid(0), ops.get(n - 4));
        assertEquals(1, ops.stream().filter(o -> o instanceof Op.Seccomp).count());
        assertTrue(ops.indexOf(new Op.JoinSessionKeyring()) < n - 2);
        assertFalse(ops.contains(new Op.NoNewPrivs()));
    }

    @Test
    void forAnotherUserItGoesInWhileCapSysAdminIsHeldUnlessNoNewPrivsIsSet() throws Exception {
        List<Op> ops = script(plan(Optional.of("app"), Network.HOST, SecurityOptions.DEFAULT));
        int seccomp = ops.indexOf(ops.stream().filter(o -> o instanceof Op.Seccomp).findFirst().orElseThrow());
        assertEquals(new Op.SetGroups(List.of(1000L, 5L, 50L)), ops.get(seccomp + 1));
        assertEquals(new Op.SetResUid(1000), ops.get(seccomp + 3));

        List<Op> nnp = script(plan(Optional.of("app"), Network.HOST, opts("no-new-privileges")));
        int n = nnp.size();
        assertInstanceOf(Op.Seccomp.class, nnp.get(n - 2));
        assertTrue(nnp.indexOf(new Op.NoNewPrivs()) < nnp.indexOf(new Op.SetResUid(1000)));
        assertFalse(script(plan(opts("no-new-privileges=false"))).contains(new Op.NoNewPrivs()));
    }

    @Test
    void maskAndUnmaskChangePodmansPaths() throws Exception {
        LaunchPlan p = plan(opts("mask=/etc/secret:/srv", "unmask=/proc/k*", "label=disable"));
        assertFalse(p.maskedFiles().contains("/proc/kcore"));
        assertFalse(p.maskedFiles().contains("/proc/keys"));
        assertTrue(p.maskedFiles().contains("/proc/timer_list"));
        List<Op> ops = script(p);
        int flags = Op.IGNORE_ENOENT | Op.IGNORE_ENOTDIR;
        // File or directory shows only inside: both are tried, the one that does not fit is skipped.
        assertTrue(ops.contains(new Op.Mount("tmpfs", "/srv", "tmpfs", dev.jrun.sys.Linux.MS_RDONLY, "size=0k", flags)));
        assertTrue(ops.contains(new Op.Mount("/dev/null", "/etc/secret", null, dev.jrun.sys.Linux.MS_BIND, null, flags)));

        LaunchPlan all = plan(opts("unmask=ALL"));
        assertEquals(List.of(), all.maskedFiles());
        assertEquals(List.of(), all.maskedDirectories());
        assertEquals(List.of(), all.readOnlyPaths());

        assertTrue(plan(SecurityOptions.DEFAULT).maskedDirectories().contains("/sys/kernel"), "host /sys is bound in");
        assertFalse(plan(Optional.empty(), Network.NONE, SecurityOptions.DEFAULT).maskedDirectories().contains("/sys/kernel"));
    }

    @Test
    void badSecurityOptionsSayWhatIsExpected() {
        JrunException relative = assertThrows(JrunException.class, () -> plan(opts("mask=etc/passwd")));
        assertTrue(relative.getMessage().contains("etc/passwd is not an absolute path"), relative.getMessage());
        JrunException unknown = assertThrows(JrunException.class, () -> plan(opts("shiny=yes")));
        assertTrue(unknown.getMessage().startsWith("--security-opt shiny=yes: unknown option; jrun knows seccomp="),
                unknown.getMessage());
        JrunException empty = assertThrows(JrunException.class, () -> plan(opts("seccomp=")));
        assertTrue(empty.getMessage().contains("give a value after '='"), empty.getMessage());
        JrunException nnp = assertThrows(JrunException.class, () -> plan(opts("no-new-privileges=maybe")));
        assertTrue(nnp.getMessage().contains("expected true or false"), nnp.getMessage());
        JrunException apparmor = assertThrows(JrunException.class, () -> plan(opts("apparmor=docker-default")));
        assertTrue(apparmor.getMessage().contains("jrun applies no AppArmor profile"), apparmor.getMessage());
    }

    @Test
    void containerenvIsEmptyAsPodmanWritesItWithoutPrivileged() throws Exception {
        EtcFile env = plan(SecurityOptions.DEFAULT).etcFiles().stream()
                .filter(f -> f.path().equals("/run/.containerenv")).findFirst().orElseThrow();
        assertEquals(0, env.content().length);
        assertTrue(env.createMountPoint());
    }
}
