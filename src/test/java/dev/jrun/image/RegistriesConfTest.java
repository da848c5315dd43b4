package dev.jrun.image;

import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistriesConfTest {
    @TempDir
    Path dir;

    private RegistriesConf system(String toml) throws IOException, JrunException {
        Path file = dir.resolve("system.conf");
        Files.writeString(file, toml);
        return RegistriesConf.load(file, dir.resolve("absent-user.conf"));
    }

    private static ImageReference ref(String s) throws JrunException {
        return ImageReference.parse(s);
    }

    private static List<String> endpoints(RegistriesConf conf, String reference) throws JrunException {
        return conf.endpoints(ref(reference)).stream().map(RegistriesConf.Endpoint::toString).collect(Collectors.toList());
    }

    @Test
    void noFileSearchesDockerHubOnly() throws JrunException {
        RegistriesConf conf = RegistriesConf.load(dir.resolve("none"), dir.resolve("none2"));
        assertEquals(List.of(ref("docker.io/library/alpine:latest")), conf.candidates(ref("alpine")));
        assertEquals(List.of("docker.io/library/alpine:latest"), endpoints(conf, "docker.io/alpine"));
    }

    @Test
    void shortNamesFollowSearchRegistriesInOrder() throws Exception {
        RegistriesConf conf = system("unqualified-search-registries = [\"quay.io\", \"docker.io\", \"localhost:5000\"]\n");
        assertEquals(List.of(ref("quay.io/ns/app:1"), ref("docker.io/ns/app:1"), ref("localhost:5000/ns/app:1")),
                conf.candidates(ref("ns/app:1")));
        // library/ only where Docker Hub keeps official images.
        assertEquals(List.of(ref("quay.io/alpine:latest"), ref("docker.io/library/alpine:latest"),
                ref("localhost:5000/alpine:latest")), conf.candidates(ref("alpine")));
        // A fully-qualified reference is its own only candidate.
        assertEquals(List.of(ref("example.com/a")), conf.candidates(ref("example.com/a")));
    }

    @Test
    void emptySearchListRefusesShortNamesAsPodmanDoes() throws Exception {
        RegistriesConf conf = system("unqualified-search-registries = []\n");
        JrunException e = assertThrows(JrunException.class, () -> conf.candidates(ref("alpine")));
        assertTrue(e.getMessage().contains("short-name \"alpine\""), e.getMessage());
        assertTrue(e.getMessage().contains("docker.io/library/alpine"), e.getMessage());
    }

    @Test
    void mirrorsComeFirstThenTheLocation() throws Exception {
        RegistriesConf conf = system("""
                [[registry]]
                location = "docker.io"
                [[registry.mirror]]
                location = "127.0.0.1:5000"
                insecure = true
                [[registry.mirror]]
                location = "mirror.example.com/hub"
                """);
        assertEquals(List.of(
                "127.0.0.1:5000/library/alpine:latest (mirror) (insecure)",
                "mirror.example.com/hub/library/alpine:latest (mirror)",
                "docker.io/library/alpine:latest"), endpoints(conf, "docker.io/alpine:latest"));
    }

    @Test
    void prefixIsRewrittenToLocation() throws Exception {
        RegistriesConf conf = system("""
                [[registry]]
                prefix = "example.com/foo"
                location = "internal.example.com:5000/bar"
                insecure = true
                [[registry]]
                prefix = "example.com"
                location = "example.com"
                """);
        assertEquals(List.of("internal.example.com:5000/bar/app:1 (insecure)"), endpoints(conf, "example.com/foo/app:1"));
        // Longest prefix wins; "example.com/foobar" does not match "example.com/foo" (no boundary).
        assertEquals(List.of("example.com/foobar:latest"), endpoints(conf, "example.com/foobar"));
        assertEquals(List.of("example.com/other@sha256:" + "c".repeat(64)),
                endpoints(conf, "example.com/other@sha256:" + "c".repeat(64)));
        assertFalse(conf.isInsecure("internal.example.com:5000"));
    }

    @Test
    void insecureIsReportedPerRegistryHost() throws Exception {
        RegistriesConf conf = system("""
                [[registry]]
                location = "127.0.0.1:5000"
                insecure = true
                """);
        assertTrue(conf.isInsecure("127.0.0.1:5000"));
        assertFalse(conf.isInsecure("127.0.0.1:5001"));
    }

    @Test
    void blockedRegistryIsRefusedWithTheFileNamed() throws Exception {
        RegistriesConf conf = system("""
                [[registry]]
                prefix = "docker.io/evil"
                location = "docker.io/evil"
                blocked = true
                """);
        JrunException e = assertThrows(JrunException.class, () -> conf.endpoints(ref("docker.io/evil/app")));
        assertTrue(e.getMessage().contains("blocked"), e.getMessage());
        assertTrue(e.getMessage().contains("system.conf"), e.getMessage());
        assertEquals(List.of("docker.io/library/alpine:latest"), endpoints(conf, "docker.io/alpine"));
    }

    @Test
    void wildcardPrefixSelectsSettingsWithoutRewriting() throws Exception {
        RegistriesConf conf = system("""
                [[registry]]
                prefix = "*.internal.example"
                insecure = true
                """);
        assertEquals(List.of("reg.internal.example/app:latest (insecure)"), endpoints(conf, "reg.internal.example/app"));
        assertEquals(List.of("internal.example/app:latest"), endpoints(conf, "internal.example/app"));
    }

    @Test
    void userFileReplacesSystemFile() throws Exception {
        Path system = dir.resolve("system.conf");
        Files.writeString(system, "unqualified-search-registries = [\"quay.io\"]\n"
                + "[[registry]]\nlocation = \"quay.io\"\nblocked = true\n");
        Path user = dir.resolve("user.conf");
        Files.writeString(user, "unqualified-search-registries = [\"registry.example.com\"]\n");
        RegistriesConf conf = RegistriesConf.load(system, user);
        assertEquals(List.of("registry.example.com"), conf.searchRegistries());
        assertEquals(List.of("quay.io/app:latest"), endpoints(conf, "quay.io/app"));
    }

    @Test
    void environmentSelectsUserFileUnderXdgConfigHome() throws Exception {
        Path config = dir.resolve("cfg");
        Files.createDirectories(config.resolve("containers"));
        Files.writeString(config.resolve("containers/registries.conf"), "unqualified-search-registries = [\"a.example\"]\n");
        assertEquals(config.resolve("containers/registries.conf"), RegistriesConf.userFile(Map.of("XDG_CONFIG_HOME", config.toString())));
        assertEquals(Path.of("/home/u/.config/containers/registries.conf"), RegistriesConf.userFile(Map.of("HOME", "/home/u")));
        RegistriesConf conf = RegistriesConf.load(Map.of("CONTAINERS_REGISTRIES_CONF", config.resolve("containers/registries.conf").toString()));
        assertEquals(List.of("a.example"), conf.searchRegistries());
    }

    @Test
    void badFilesAreExplained() throws Exception {
        JrunException syntax = assertThrows(JrunException.class, () -> system("unqualified-search-registries = [\n"));
        assertTrue(syntax.getMessage().contains("TOML"), syntax.getMessage());
        JrunException v1 = assertThrows(JrunException.class, () -> system("[registries.search]\nregistries = [\"docker.io\"]\n"));
        assertTrue(v1.getMessage().contains("version 1"), v1.getMessage());
        JrunException scheme = assertThrows(JrunException.class, () -> system("[[registry]]\nlocation = \"http://x.example\"\n"));
        assertTrue(scheme.getMessage().contains("must not contain a scheme"), scheme.getMessage());
        JrunException search = assertThrows(JrunException.class, () -> system("unqualified-search-registries = [\"docker.io/library\"]\n"));
        assertTrue(search.getMessage().contains("not a registry host name"), search.getMessage());
    }

    @Test
    void shortNameMustBeResolvedFirst() throws Exception {
        RegistriesConf conf = system("");
        assertThrows(IllegalArgumentException.class, () -> conf.endpoints(ref("alpine")));
    }

    @Test
    void commentOnlyFileAsDebianShipsItSearchesDockerHub() throws Exception {
        RegistriesConf conf = system("# For more information on this configuration file, see containers-registries.conf(5).\n"
                + "# unqualified-search-registries = [\"example.com\"]\n\n");
        assertEquals(List.of("docker.io"), conf.searchRegistries());
        RegistriesConf empty = system("");
        assertEquals(List.of("docker.io"), empty.searchRegistries());
    }

    @Test
    void aliasTablesAndOtherKeysAreIgnored() throws Exception {
        RegistriesConf conf = system("short-name-mode = \"enforcing\"\n"
                + "unqualified-search-registries = [\"quay.io\"]\n"
                + "[aliases]\n  \"almalinux\" = \"docker.io/library/almalinux\"\n");
        assertEquals(List.of("quay.io"), conf.searchRegistries());
    }

    @Test
    void dropInsMergeAsContainersImageDoes() throws Exception {
        Path main = dir.resolve("registries.conf");
        Files.writeString(main, "unqualified-search-registries = [\"quay.io\"]\n"
                + "[[registry]]\nlocation = \"quay.io\"\nblocked = true\n"
                + "[[registry]]\nlocation = \"ghcr.io\"\ninsecure = true\n");
        Path dropIns = dir.resolve("registries.conf.d");
        Files.createDirectories(dropIns);
        // Applied in name order: 10 then 20; the .ignore file is not read.
        Files.writeString(dropIns.resolve("20-search.conf"), "unqualified-search-registries = [\"registry.example\"]\n");
        Files.writeString(dropIns.resolve("10-quay.conf"), "unqualified-search-registries = [\"first.example\"]\n"
                + "[[registry]]\nlocation = \"quay.io\"\n[[registry.mirror]]\nlocation = \"mirror.example\"\n");
        Files.writeString(dropIns.resolve("30-broken.ignore"), "this is not TOML [[[");
        Files.writeString(dropIns.resolve("40-empty.conf"), "# nothing\n");
        RegistriesConf conf = RegistriesConf.load(main, List.of(dropIns, dir.resolve("absent.d")));
        assertEquals(List.of("registry.example"), conf.searchRegistries());
        // The drop-in's quay.io entry replaced the blocked one; ghcr.io kept its settings.
        assertEquals(List.of("mirror.example/app:latest (mirror)", "quay.io/app:latest"), endpoints(conf, "quay.io/app"));
        assertTrue(conf.isInsecure("ghcr.io"));
        assertTrue(conf.source().contains("10-quay.conf") && conf.source().contains("20-search.conf"), conf.source());
    }

    @Test
    void environmentReadsTheUsersDropIns() throws Exception {
        Path config = dir.resolve("cfg");
        Files.createDirectories(config.resolve("containers/registries.conf.d"));
        Files.writeString(config.resolve("containers/registries.conf"), "unqualified-search-registries = [\"a.example\"]\n");
        Files.writeString(config.resolve("containers/registries.conf.d/mirror.conf"),
                "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"127.0.0.1:5000\"\ninsecure = true\n");
        RegistriesConf conf = RegistriesConf.load(Map.of("XDG_CONFIG_HOME", config.toString()));
        assertEquals(List.of("a.example"), conf.searchRegistries());
        assertEquals("127.0.0.1:5000/library/alpine:latest (mirror) (insecure)", endpoints(conf, "docker.io/alpine").get(0));
    }

    @Test
    void wildcardWithPortIsRefused() {
        JrunException e = assertThrows(JrunException.class, () -> system("[[registry]]\nprefix = \"*.example.com:5000\"\n"));
        assertTrue(e.getMessage().contains("*.example.com"), e.getMessage());
    }
}
