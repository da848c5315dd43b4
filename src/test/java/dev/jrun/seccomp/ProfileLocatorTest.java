package dev.jrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileLocatorTest {
    @TempDir Path tmp;

    @Test
    void containersConfChoosesTheProfileAndAMissingFileFallsBackToTheBuiltInCopy() throws Exception {
        Path conf = Files.writeString(tmp.resolve("containers.conf"), """
                [engine]
                seccomp_profile = "/in/another/table/is/not/ours.json"
                [containers]
                # seccomp_profile = "/commented/out.json"
                # a comment, and keys jrun does not read
                default_capabilities = ["CHOWN"]
                seccomp_profile = "%s"   # podman's key
                """.formatted(tmp.resolve("mine.json")));
        ProfileLocator locator = new ProfileLocator(Map.of("CONTAINERS_CONF", conf.toString()));
        assertEquals(tmp.resolve("mine.json"), locator.configuredPath());
        assertEquals(ProfileLocator.BUILT_IN_NAME, locator.defaultProfile().source());

        Files.writeString(tmp.resolve("mine.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        ProfileLocator.Located mine = locator.defaultProfile();
        assertEquals(tmp.resolve("mine.json").toString(), mine.source());
        assertEquals("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", new String(mine.json()));
    }

    @Test
    void theUsersConfigComesAfterTheSystemsAndDropInsAfterThat() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".config/containers/containers.conf.d"));
        Files.writeString(home.resolve(".config/containers/containers.conf"), "[containers]\nseccomp_profile = \"/a.json\"\n");
        Files.writeString(home.resolve(".config/containers/containers.conf.d/10-b.conf"),
                "[containers]\nseccomp_profile = \"/b.json\"\n");
        assertEquals(Path.of("/b.json"), new ProfileLocator(Map.of("HOME", home.toString())).configuredPath());
        Path xdg = tmp.resolve("xdg");
        Files.createDirectories(xdg.resolve("containers"));
        Files.writeString(xdg.resolve("containers/containers.conf"), "[engine]\ncgroup_manager = \"cgroupfs\"\n");
        // A file that does not set it changes nothing: the system default (or /etc's) stays.
        Path chosen = new ProfileLocator(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", home.toString()))
                .configuredPath();
        assertTrue(chosen.toString().endsWith(".json"), chosen.toString());
    }

    @Test
    void aBrokenConfigOrAMissingNamedProfileSaysWhichFile() throws Exception {
        Path conf = Files.writeString(tmp.resolve("containers.conf"), "[containers]\nseccomp_profile = 1\n");
        JrunException e = assertThrows(JrunException.class,
                () -> new ProfileLocator(Map.of("CONTAINERS_CONF", conf.toString())).configuredPath());
        assertTrue(e.getMessage().startsWith(conf + ": cannot read the line 'seccomp_profile = 1'"), e.getMessage());
        JrunException missing = assertThrows(JrunException.class, () -> ProfileLocator.file(tmp.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("seccomp=" + tmp.resolve("nope.json") + ": no such file"),
                missing.getMessage());
    }
}
