package dev.jrun.registry;

import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthFileTest {
    @TempDir
    Path dir;

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String relative, String json) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        return file;
    }

    @Test
    void readsFilesInPodmansOrder() throws Exception {
        write("run/containers/auth.json", "{\"auths\":{\"quay.io\":{\"auth\":\"" + auth("runtime", "1") + "\"}}}");
        write("config/containers/auth.json", "{\"auths\":{\"quay.io\":{\"auth\":\"" + auth("config", "2") + "\"},"
                + "\"ghcr.io\":{\"auth\":\"" + auth("config", "3") + "\"}}}");
        write("home/.docker/config.json", "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("docker", "4") + "\"},"
                + "\"ghcr.io\":{\"auth\":\"" + auth("docker", "5") + "\"}}}");
        AuthFile file = AuthFile.forEnvironment(Map.of("XDG_RUNTIME_DIR", dir.resolve("run").toString(),
                "XDG_CONFIG_HOME", dir.resolve("config").toString(), "HOME", dir.resolve("home").toString()));
        assertEquals(Optional.of(new Credentials("runtime", "1")), file.find("quay.io", "ns/app"));
        assertEquals(Optional.of(new Credentials("config", "3")), file.find("ghcr.io", "x"));
        // Docker Hub's legacy key, found under docker.io.
        assertEquals(Optional.of(new Credentials("docker", "4")), file.find("docker.io", "library/alpine"));
        assertEquals(Optional.empty(), file.find("example.com", "x"));
    }

    @Test
    void mostSpecificKeyWins() throws Exception {
        Path path = write("auth.json", "{\"auths\":{"
                + "\"quay.io\":{\"auth\":\"" + auth("host", "a") + "\"},"
                + "\"quay.io/team\":{\"auth\":\"" + auth("team", "b") + "\"},"
                + "\"quay.io/team/app\":{\"auth\":\"" + auth("app", "c") + "\"}}}");
        AuthFile file = new AuthFile(List.of(path), path);
        assertEquals("app", file.find("quay.io", "team/app").orElseThrow().username());
        assertEquals("team", file.find("quay.io", "team/other").orElseThrow().username());
        assertEquals("host", file.find("quay.io", "elsewhere/app").orElseThrow().username());
        assertEquals("host", file.find("quay.io", "teamx/app").orElseThrow().username());
    }

    @Test
    void passwordMayContainColons() throws Exception {
        Path path = write("auth.json", "{\"auths\":{\"r.example\":{\"auth\":\"" + auth("u", "p:a:ss") + "\"}}}");
        assertEquals(new Credentials("u", "p:a:ss"), new AuthFile(List.of(path), path).find("r.example", "").orElseThrow());
    }

    @Test
    void brokenEntriesAreExplained() throws Exception {
        Path notBase64 = write("a.json", "{\"auths\":{\"r.example\":{\"auth\":\"%%%\"}}}");
        JrunException e = assertThrows(JrunException.class,
                () -> new AuthFile(List.of(notBase64), notBase64).find("r.example", ""));
        assertTrue(e.getMessage().contains(notBase64.toString()) && e.getMessage().contains("base64"), e.getMessage());
        Path notJson = write("b.json", "{oops");
        JrunException json = assertThrows(JrunException.class, () -> new AuthFile(List.of(notJson), notJson).find("r", ""));
        assertTrue(json.getMessage().contains("read credentials file " + notJson), json.getMessage());
    }

    @Test
    void credentialsNeverPrintTheirPassword() {
        assertFalse(new Credentials("u", "hunter2").toString().contains("hunter2"));
    }

    @Test
    void logoutExplainsWhereOtherCredentialsLive() throws Exception {
        Path docker = write("home/.docker/config.json", "{\"auths\":{\"r.example\":{\"auth\":\"" + auth("u", "p") + "\"}}}");
        Path mine = dir.resolve("run/containers/auth.json");
        AuthFile file = new AuthFile(List.of(mine, docker), mine);
        JrunException e = assertThrows(JrunException.class, () -> file.logout("r.example"));
        assertTrue(e.getMessage().contains(docker.toString()), e.getMessage());
        JrunException none = assertThrows(JrunException.class, () -> file.logout("other.example"));
        assertTrue(none.getMessage().contains("not logged in"), none.getMessage());
        JrunException bad = assertThrows(JrunException.class, () -> file.logout("https://r.example/"));
        assertTrue(bad.getMessage().contains("is not a registry"), bad.getMessage());
    }

    @Test
    void logoutKeepsOtherEntriesAndFields() throws Exception {
        Path path = write("auth.json", "{\"auths\":{\"a.example\":{\"auth\":\"" + auth("a", "1") + "\"},"
                + "\"b.example\":{\"auth\":\"" + auth("b", "2") + "\"}},\"credHelpers\":{\"c.example\":\"helper\"}}");
        AuthFile file = new AuthFile(List.of(path), path);
        file.logout("a.example");
        String json = Files.readString(path);
        assertFalse(json.contains("a.example"), json);
        assertTrue(json.contains("b.example") && json.contains("credHelpers"), json);
    }
}
