package dev.jrun.userns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserNamespacePlannerTest {
    /** /etc/subuid from the article, after bob's --del-subuids and --add-subuids. */
    static final String ARTICLE_SUBUID = """
            vagrant:100000:65536
            btoll:165536:65536
            alice:231072:65536
            bob:296608:392
            bob:302001:60143
            bob:297000:5001
            """;
    static final String ARTICLE_SUBGID = """
            vagrant:100000:65536
            btoll:165536:65536
            alice:231072:65536
            bob:296608:65536
            """;
    static final Optional<Path> HELPER = Optional.of(Path.of("/usr/bin/newuidmap"));

    private final List<String> warnings = new ArrayList<>();

    private UserNamespacePlan plan(HostIdentity who, String subuid, String subgid, Optional<String> remap)
            throws JrunException {
        return new UserNamespacePlanner(who, SubIdFile.of(Path.of("/etc/subuid"), subuid),
                SubIdFile.of(Path.of("/etc/subgid"), subgid), HELPER, HELPER, warnings::add).plan(remap);
    }

    @Test
    void vagrantGetsPodmansRootlessMap() throws Exception {
        UserNamespacePlan p = plan(new HostIdentity(1000, 1000, "vagrant"), ARTICLE_SUBUID, ARTICLE_SUBGID,
                Optional.empty());
        assertEquals("""
                         0       1000          1
                         1     100000      65536
                """, p.uidMap().procView());
        assertEquals(p.uidMap().procView(), p.gidMap().procView());
        assertEquals(MapWriter.SETUID_HELPERS, p.writer());
        assertTrue(p.setgroupsAllowed());
        assertEquals(List.of("0", "1000", "1", "1", "100000", "65536"), p.uidMap().helperArgs());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void bobsSplitRangesAreSortedByHostStartAndStacked() throws Exception {
        UserNamespacePlan p = plan(new HostIdentity(1003, 1003, "bob"), ARTICLE_SUBUID, ARTICLE_SUBGID,
                Optional.empty());
        assertEquals("""
                         0       1003          1
                         1     296608        392
                       393     297000       5001
                      5394     302001      60143
                """, p.uidMap().procView());
        assertEquals("""
                         0       1003          1
                         1     296608      65536
                """, p.gidMap().procView());
        assertEquals(65537, p.uidMap().size());
    }

    @Test
    void numericKeysCommentsAndGarbageLines() throws Exception {
        String subuid = """
                # managed by hand
                1001:400000:1000

                carol:notanumber:5
                carol:500000
                :1:2
                carol:-5:10
                carol:600000:0
                """;
        UserNamespacePlan p = plan(new HostIdentity(1001, 1001, "carol"), subuid, "carol:400000:1000\n",
                Optional.empty());
        assertEquals(List.of(new IdMapping(0, 1001, 1), new IdMapping(1, 400000, 1000)), p.uidMap().mappings());
        assertEquals(5, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("/etc/subuid line 4 is not NAME:START:COUNT"), warnings.get(0));
        assertTrue(warnings.get(1).contains("line 5"));
    }

    @Test
    void overlappingRangesUseEachHostIdOnce() throws Exception {
        String subuid = "dave:200000:100\ndave:200050:100\ndave:200010:10\n";
        UserNamespacePlan p = plan(new HostIdentity(1002, 1002, "dave"), subuid, "dave:200000:100\n",
                Optional.empty());
        assertEquals(List.of(new IdMapping(0, 1002, 1), new IdMapping(1, 200000, 100), new IdMapping(101, 200100, 50)),
                p.uidMap().mappings());
        assertEquals(2, warnings.size(), warnings.toString());
    }

    @Test
    void rangeContainingOwnUidIsRefused() {
        JrunException e = assertThrows(JrunException.class, () -> plan(new HostIdentity(100500, 100500, "eve"),
                "eve:100000:65536\n", "eve:300000:65536\n", Optional.empty()));
        assertTrue(e.getMessage().contains("contains your own UID 100500"), e.getMessage());
        assertTrue(e.getMessage().contains("usermod --del-subuids 100000-165535 eve"), e.getMessage());
        assertEquals(125, e.exitCode());
    }

    @Test
    void noRangesFallsBackToSingleMappingWithAdvice() throws Exception {
        UserNamespacePlan p = plan(new HostIdentity(1005, 1005, "frank"), ARTICLE_SUBUID, ARTICLE_SUBGID,
                Optional.empty());
        assertEquals("0 1005 1\n", p.uidMap().procText());
        assertEquals(MapWriter.DIRECT, p.writer());
        assertFalse(p.setgroupsAllowed());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("usermod --add-subuids"), warnings.get(0));
    }

    @Test
    void missingHelperFallsBackToSingleMapping() throws Exception {
        UserNamespacePlan p = new UserNamespacePlanner(new HostIdentity(1000, 1000, "vagrant"),
                SubIdFile.of(Path.of("/etc/subuid"), ARTICLE_SUBUID), SubIdFile.of(Path.of("/etc/subgid"), ARTICLE_SUBGID),
                Optional.empty(), Optional.empty(), warnings::add).plan(Optional.empty());
        assertEquals("0 1000 1\n", p.uidMap().procText());
        assertTrue(warnings.get(0).contains("apt-get install uidmap"), warnings.get(0));
    }

    @Test
    void rootGetsTheIdentityMap() throws Exception {
        UserNamespacePlan p = plan(new HostIdentity(0, 0, "root"), ARTICLE_SUBUID, ARTICLE_SUBGID, Optional.empty());
        assertEquals("         0          0 4294967295\n", p.uidMap().procView());
        assertEquals(MapWriter.DIRECT, p.writer());
    }

    @Test
    void usernsRemapTakesTheUsersFirstRange() throws Exception {
        UserNamespacePlan p = plan(new HostIdentity(0, 0, "root"), ARTICLE_SUBUID, ARTICLE_SUBGID,
                Optional.of("alice"));
        assertEquals("         0     231072      65536\n", p.uidMap().procView());
        assertEquals("         0     231072      65536\n", p.gidMap().procView());
        UserNamespacePlan bob = plan(new HostIdentity(0, 0, "root"), ARTICLE_SUBUID, ARTICLE_SUBGID,
                Optional.of("bob:alice"));
        assertEquals("0 296608 392\n", bob.uidMap().procText());
        assertEquals("0 231072 65536\n", bob.gidMap().procText());
    }

    @Test
    void usernsRemapOfUnknownUserSaysWhatToAdd() {
        JrunException e = assertThrows(JrunException.class, () -> plan(new HostIdentity(0, 0, "root"),
                ARTICLE_SUBUID, ARTICLE_SUBGID, Optional.of("mallory")));
        assertTrue(e.getMessage().contains("no range for mallory"), e.getMessage());
        assertThrows(JrunException.class, () -> plan(new HostIdentity(0, 0, "root"), ARTICLE_SUBUID,
                ARTICLE_SUBGID, Optional.of("a:b:c")));
    }
}
