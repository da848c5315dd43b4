package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `jrun info` as users would run it: on a provisioned host, in a sandbox, without helpers or ranges. */
class InfoIT {
    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        TestUsers.alice();
        TestInstall.dir();
    }

    /** jrun info as {@code user} inside bwrap with these options (bwrap makes a user namespace of its own). */
    private static Host.Result inBwrap(String user, String... bwrapOptions) {
        Host.require(Host.run(List.of("sh", "-c", "command -v bwrap")).exit() == 0,
                "bwrap is missing: apt-get install bubblewrap (.ci/provision-debian installs it)");
        List<String> jrun = TestInstall.command(user, "info");
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--", "bwrap", "--dev-bind", "/", "/"));
        cmd.addAll(List.of(bwrapOptions));
        cmd.add("--");
        cmd.addAll(jrun.subList(jrun.indexOf("--") + 1, jrun.size()));
        return Host.run(cmd, TestInstall.dir().toFile(), 120);
    }

    @Test
    void aProvisionedHostHasNoProblems() throws Exception {
        Host.Result text = TestInstall.jrun("alice", "info");
        assertEquals(0, text.exit(), text.describe());
        assertTrue(text.out().contains("\n  works: true\n"), text.describe());
        assertTrue(text.out().contains("\n  seccompProfile: /usr/share/containers/seccomp.json\n"), text.describe());
        assertTrue(text.out().endsWith("problems: none\n"), text.describe());

        Host.Result json = TestInstall.jrun("alice", "info", "--format", "json");
        assertEquals(0, json.exit(), json.describe());
        JsonNode tree = new ObjectMapper().readTree(json.out());
        assertTrue(tree.path("userNamespaces").path("works").asBoolean(), json.out());
        assertEquals("/usr/bin/newuidmap (setuid root)", tree.path("userNamespaces").path("newuidmap").asText());
        assertTrue(tree.path("problems").isArray() && tree.path("problems").isEmpty(), json.out());
        assertTrue(tree.path("store").has("sizeBytes"), json.out());
        // The overlay it tried leaves nothing, neither in the store nor in /tmp.
        for (String dir : List.of(tree.path("store").path("path").asText(), "/tmp")) {
            Host.Result left = Host.run(List.of("find", dir, "-maxdepth", "1", "-name", ".jrun-info-overlay-*"));
            assertEquals("", left.out(), "left in " + dir);
        }
    }

    @Test
    void userNamespacesForbiddenByASandboxAreNamedWithTheFix() {
        Host.Result r = inBwrap("alice", "--unshare-user", "--disable-userns");
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("\n  canCreate: false\n"), r.describe());
        assertTrue(r.out().contains("bwrap --disable-userns"), r.describe());
        assertTrue(r.out().contains("    fix: run jrun outside it, or raise the limit as root: "
                + "sysctl -w user.max_user_namespaces=15000\n"), r.describe());
    }

    @Test
    void aMissingNewuidmapOrMissingRangesAreNamedWithTheFix() {
        Host.Result r = inBwrap("alice", "--ro-bind", "/dev/null", "/usr/bin/newuidmap");
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("  - problem: newuidmap is not installed: only a single-ID map is possible\n"
                + "    fix: apt-get install uidmap   # as root\n"), r.describe());

        TestUsers.carol();   // no subordinate ranges
        Host.Result carol = TestInstall.jrun("carol", "info");
        assertEquals(0, carol.exit(), carol.describe());
        assertTrue(carol.out().contains("  - problem: carol has no subordinate UIDs in /etc/subuid"), carol.describe());
        assertTrue(carol.out().contains("    fix: usermod --add-subuids 100000-165535 carol"), carol.describe());
    }
}
