package dev.jrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SeccompRules;
import dev.jrun.sys.SeccompRules.Condition;
import dev.jrun.sys.SeccompRules.Rule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** podman's default profile (the copy jrun carries) resolved as podman resolves it. */
class ProfileResolverTest {
    private static final Set<String> PODMAN_DEFAULT_CAPS = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_SETFCAP");

    private static SeccompRules podmans(String goArch, Set<String> caps) throws JrunException {
        ProfileLocator.Located builtIn = ProfileLocator.builtIn();
        SeccompProfile profile = SeccompProfile.parse(builtIn.json(), builtIn.source());
        return ProfileResolver.resolve(profile, new ProfileResolver.Target(goArch, caps, "6.1.0-18-amd64"));
    }

    private static List<Rule> rulesFor(SeccompRules rules, String name) {
        return rules.rules().stream().filter(r -> r.syscall().equals(name)).toList();
    }

    @Test
    void unlistedCallsFailWithEnosysAndTheFilterCoversX86AndX32Too() throws Exception {
        SeccompRules rules = podmans("amd64", PODMAN_DEFAULT_CAPS);
        assertEquals(SeccompRules.errno(38), rules.defaultAction());
        assertEquals(List.of("x86", "x32"), rules.extraArchitectures());
        // Neither io_uring nor add_key is on podman's list: ENOSYS, as if the kernel lacked them.
        assertTrue(rulesFor(rules, "io_uring_setup").isEmpty());
        assertTrue(rulesFor(rules, "add_key").isEmpty());
        assertEquals(List.of(new Rule("read", SeccompRules.ACT_ALLOW, List.of())), rulesFor(rules, "read"));
    }

    @Test
    void capabilityGatedCallsFollowTheBoundingSet() throws Exception {
        SeccompRules plain = podmans("amd64", PODMAN_DEFAULT_CAPS);
        assertEquals(List.of(new Rule("perf_event_open", SeccompRules.errno(1), List.of())),
                rulesFor(plain, "perf_event_open"));
        Set<String> withAdmin = new java.util.HashSet<>(PODMAN_DEFAULT_CAPS);
        withAdmin.add("CAP_SYS_ADMIN");
        SeccompRules admin = podmans("amd64", withAdmin);
        assertEquals(List.of(new Rule("perf_event_open", SeccompRules.ACT_ALLOW, List.of())),
                rulesFor(admin, "perf_event_open"));
        // chroot is allowed with the default CAP_SYS_CHROOT, refused (EPERM) without it.
        assertEquals(SeccompRules.ACT_ALLOW, rulesFor(plain, "chroot").get(0).action());
        Set<String> noChroot = new java.util.HashSet<>(PODMAN_DEFAULT_CAPS);
        noChroot.remove("CAP_SYS_CHROOT");
        assertEquals(SeccompRules.errno(1), rulesFor(podmans("amd64", noChroot), "chroot").get(0).action());
    }

    @Test
    void anAuditSocketIsRefusedWithEinvalWithoutAuditWrite() throws Exception {
        List<Rule> socket = rulesFor(podmans("amd64", PODMAN_DEFAULT_CAPS), "socket");
        // socket(AF_NETLINK=16, *, NETLINK_AUDIT=9): EINVAL; any other domain or protocol: allowed.
        assertTrue(socket.contains(new Rule("socket", SeccompRules.errno(22),
                List.of(new Condition(0, 4, 16, 0), new Condition(2, 4, 9, 0)))));
        assertTrue(socket.contains(new Rule("socket", SeccompRules.ACT_ALLOW, List.of(new Condition(2, 1, 9, 0)))));
        assertTrue(socket.contains(new Rule("socket", SeccompRules.ACT_ALLOW, List.of(new Condition(0, 1, 16, 0)))));
        Set<String> audit = new java.util.HashSet<>(PODMAN_DEFAULT_CAPS);
        audit.add("CAP_AUDIT_WRITE");
        assertEquals(List.of(new Rule("socket", SeccompRules.ACT_ALLOW, List.of())),
                rulesFor(podmans("amd64", audit), "socket"));
    }

    @Test
    void architectureIncludesUseGoNames() throws Exception {
        assertFalse(rulesFor(podmans("amd64", PODMAN_DEFAULT_CAPS), "arch_prctl").isEmpty());
        SeccompRules arm = podmans("arm64", PODMAN_DEFAULT_CAPS);
        assertTrue(rulesFor(arm, "arch_prctl").isEmpty());
        assertFalse(rulesFor(arm, "cacheflush").isEmpty());
        assertEquals(List.of("arm"), arm.extraArchitectures());
    }

    private static SeccompRules resolve(String json, String kernel) throws JrunException {
        SeccompProfile p = SeccompProfile.parse(json.getBytes(StandardCharsets.UTF_8), "test.json");
        return ProfileResolver.resolve(p, new ProfileResolver.Target("amd64", Set.of(), kernel));
    }

    @Test
    void minKernelErrnoDefaultsAndRepeatedArgumentsAsRunc() throws Exception {
        SeccompRules r = resolve("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [
                   {"names": ["new_call"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "6.2"}},
                   {"names": ["old_call"], "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "5.4"}},
                   {"name": "mkdir", "action": "SCMP_ACT_ERRNO"},
                   {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS",
                    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}
                 ]}""", "6.1.0");
        assertEquals(SeccompRules.ACT_ALLOW, r.defaultAction());
        assertEquals(List.of(
                new Rule("mkdir", SeccompRules.errno(1), List.of()),   // no errnoRet: EPERM
                // the default action again: skipped, libseccomp would refuse it
                new Rule("personality", SeccompRules.ACT_KILL_PROCESS, List.of(new Condition(0, 4, 1, 0))),
                new Rule("personality", SeccompRules.ACT_KILL_PROCESS, List.of(new Condition(0, 4, 2, 0)))),
                r.rules());
        assertEquals("new_call", resolve("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["new_call"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "6.2"}}]}
                """, "6.18.44-fc").rules().get(0).syscall());
    }

    @Test
    void theOlderFormatWithNameAndArchitecturesIsReadToo() throws Exception {
        SeccompRules r = resolve("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                 "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW", "args": null},
                              {"name": "ptrace", "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
                              {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_KILL"]}}]}
                """, "6.1");
        assertEquals(SeccompRules.errno(38), r.defaultAction());
        assertEquals(List.of("x86"), r.extraArchitectures());
        assertEquals(List.of(new Rule("read", SeccompRules.ACT_ALLOW, List.of())), r.rules());
        JrunException both = assertThrows(JrunException.class, () -> resolve("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ERRNO"}]}
                """, "6.1"));
        assertTrue(both.getMessage().contains("has both \"name\" (a) and \"names\""), both.getMessage());
    }

    @Test
    void brokenProfilesAreRefusedWithTheFileAndTheWayOut() {
        JrunException json = assertThrows(JrunException.class, () -> resolve("{\"defaultAction\": ", "6.1"));
        assertTrue(json.getMessage().startsWith("seccomp profile test.json: not valid JSON"), json.getMessage());
        assertTrue(json.getMessage().endsWith("or run with --security-opt seccomp=unconfined"), json.getMessage());
        JrunException action = assertThrows(JrunException.class, () -> resolve("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_MAYBE"}]}""", "6.1"));
        assertTrue(action.getMessage().contains("unknown action SCMP_ACT_MAYBE"), action.getMessage());
        JrunException notify = assertThrows(JrunException.class, () -> resolve("""
                {"defaultAction": "SCMP_ACT_NOTIFY"}""", "6.1"));
        assertTrue(notify.getMessage().contains("SCMP_ACT_NOTIFY"), notify.getMessage());
        JrunException missing = assertThrows(JrunException.class, () -> resolve("{}", "6.1"));
        assertTrue(missing.getMessage().contains("\"defaultAction\" is missing"), missing.getMessage());
        JrunException op = assertThrows(JrunException.class, () -> resolve("""
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]}""", "6.1"));
        assertTrue(op.getMessage().contains("unknown comparison SCMP_CMP_ALMOST"), op.getMessage());
    }

    @Test
    void theCarriedCopyIsPodmansProfileWhereDebianInstallsIt() throws Exception {
        java.nio.file.Path installed = ProfileLocator.DEFAULT_PROFILE;
        dev.jrun.testing.Environment.require(java.nio.file.Files.exists(installed),
                installed + " is missing: apt-get install podman (.ci/provision-debian installs it)");
        assertEquals(java.nio.file.Files.readString(installed),
                new String(ProfileLocator.builtIn().json(), StandardCharsets.UTF_8));
    }
}
