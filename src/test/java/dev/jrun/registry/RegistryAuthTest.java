package dev.jrun.registry;

import dev.jrun.oci.Platform;

import dev.jrun.errors.JrunException;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestRegistry;
import dev.jrun.testing.TokenService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Basic and Bearer authentication against real registries, and login through auth.json. */
class RegistryAuthTest {
    @TempDir
    Path dir;

    @Test
    void basicAuthRegistryNeedsCredentials() throws Exception {
        try (TestRegistry registry = TestRegistry.startWithBasicAuth("alice", "s3cret")) {
            TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", new byte[] {1})).push(registry, "test/basic:1");
            RemoteRepository repo = registry.repository("test/basic");
            assertEquals(pushed.digest(), registry.client().fetchManifest(repo, "1").digest());

            RegistryException anonymous = assertThrows(RegistryException.class,
                    () -> registry.client(CredentialSource.NONE).fetchManifest(repo, "1"));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, anonymous.kind());
            assertTrue(anonymous.getMessage().contains("run jrun login " + registry.host()), anonymous.getMessage());

            CredentialSource wrong = (r, p) -> Optional.of(new Credentials("alice", "wrong"));
            RegistryException refused = assertThrows(RegistryException.class,
                    () -> registry.client(wrong).fetchManifest(repo, "1"));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, refused.kind());
        }
    }

    @Test
    void bearerTokensAnonymousAndWithCredentials() throws Exception {
        TokenService tokens = TokenService.start("bob", "pa55");
        try (TestRegistry registry = TestRegistry.startWithTokenAuth(tokens)) {
            RegistryClient bob = registry.client((r, p) -> Optional.of(new Credentials("bob", "pa55")));
            RemoteRepository repo = registry.repository("test/token");
            TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", new byte[] {2}))
                    .push(bob, repo, "1");
            assertTrue(tokens.requests().stream().anyMatch(t -> "bob".equals(t.user())
                    && t.scopes().contains("repository:test/token:pull,push")), tokens.requests().toString());

            // Anonymous pull: a token without credentials, asked once per scope and then reused.
            RegistryClient anonymous = registry.client(CredentialSource.NONE);
            int before = tokens.requests().size();
            RegistryClient.ResolvedImage image = anonymous.resolveImage(repo, "1", Platform.host());
            assertEquals(pushed.digest(), image.manifest().digest());
            anonymous.fetchSmallBlob(repo, image.manifest().config());
            anonymous.fetchManifest(repo, "1");
            List<TokenService.TokenRequest> anonymousRequests = tokens.requests().subList(before, tokens.requests().size());
            assertEquals(1, anonymousRequests.size(), anonymousRequests.toString());
            assertNull(anonymousRequests.get(0).user());
            assertEquals(List.of("repository:test/token:pull"), anonymousRequests.get(0).scopes());
            assertEquals(tokens.service(), anonymousRequests.get(0).service());

            // Anonymous push: the token service grants pull only, so the registry refuses.
            RegistryException push = assertThrows(RegistryException.class,
                    () -> anonymous.pushBlob(repo, new byte[] {9, 9, 9}));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, push.kind());
            assertTrue(push.getMessage().contains("jrun login " + registry.host()), push.getMessage());

            // Wrong password: the token service says no, and the message says what to do.
            RegistryClient mallory = registry.client((r, p) -> Optional.of(new Credentials("bob", "guess")));
            RegistryException denied = assertThrows(RegistryException.class, () -> mallory.fetchManifest(repo, "1"));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, denied.kind());
            assertTrue(denied.getMessage().contains("invalid username or password"), denied.getMessage());
        }
    }

    @Test
    void loginChecksCredentialsAndWritesAuthJsonPrivately() throws Exception {
        TokenService tokens = TokenService.start("carol", "right");
        try (TestRegistry registry = TestRegistry.startWithTokenAuth(tokens)) {
            Path authJson = dir.resolve("run/containers/auth.json");
            AuthFile authFile = AuthFile.forEnvironment(Map.of("XDG_RUNTIME_DIR", dir.resolve("run").toString(),
                    "HOME", dir.resolve("home").toString()));
            assertEquals(authJson, authFile.writeFile());
            RegistryClient client = registry.client(authFile);

            JrunException bad = assertThrows(JrunException.class,
                    () -> authFile.login(client, registry.host(), true, new Credentials("carol", "wrong")));
            assertTrue(bad.getMessage().contains("log in to " + registry.host() + " as carol"), bad.getMessage());
            assertTrue(Files.notExists(authJson), "nothing is written for refused credentials");

            authFile.login(client, registry.host(), true, new Credentials("carol", "right"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(authJson)));
            assertEquals(Optional.of(new Credentials("carol", "right")), authFile.find(registry.host(), "any/repo"));
            // Now the client finds the credentials itself and may push.
            TestImages.builder().layer(Map.of("f", new byte[] {3})).push(client, registry.repository("test/login"), "1");

            authFile.logout(registry.host());
            assertEquals(Optional.empty(), authFile.find(registry.host(), "any/repo"));
        }
    }

    @Test
    void loginToBasicAuthRegistry() throws Exception {
        try (TestRegistry registry = TestRegistry.startWithBasicAuth("dave", "pw")) {
            AuthFile authFile = new AuthFile(List.of(dir.resolve("auth.json")), dir.resolve("auth.json"));
            RegistryClient client = registry.client(authFile);
            assertThrows(JrunException.class,
                    () -> authFile.login(client, registry.host(), true, new Credentials("dave", "nope")));
            authFile.login(client, registry.host(), true, new Credentials("dave", "pw"));
            assertEquals("dave", authFile.find(registry.host(), "").orElseThrow().username());
        }
    }
}
