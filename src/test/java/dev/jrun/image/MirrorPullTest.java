package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.Platform;
import dev.jrun.registry.RegistryClient;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "alpine" resolves through a registries.conf mirror to a real registry on 127.0.0.1 (no Docker Hub here). */
class MirrorPullTest {
    @TempDir
    Path dir;

    @Test
    void shortNameIsPulledFromTheDockerHubMirror() throws Exception {
        try (TestRegistry mirror = TestRegistry.start()) {
            TestImages.Pushed pushed = TestImages.builder().layer(Map.of("etc/alpine-release", "3.20.0\n".getBytes()))
                    .push(mirror, "library/alpine:latest");
            Path conf = dir.resolve("registries.conf");
            Files.writeString(conf, "unqualified-search-registries = [\"docker.io\"]\n"
                    + "[[registry]]\nlocation = \"docker.io\"\n"
                    + "[[registry.mirror]]\nlocation = \"" + mirror.host() + "\"\ninsecure = true\n");
            RegistriesConf registries = RegistriesConf.load(dir.resolve("absent"), conf);

            ImageReference wanted = ImageReference.parse("alpine");
            List<ImageReference> candidates = registries.candidates(wanted);
            assertEquals(List.of(ImageReference.parse("docker.io/library/alpine:latest")), candidates);
            List<RegistriesConf.Endpoint> endpoints = registries.endpoints(candidates.get(0));
            assertEquals(2, endpoints.size());
            RegistriesConf.Endpoint first = endpoints.get(0);
            assertTrue(first.mirror() && first.insecure());
            assertEquals(mirror.host() + "/library/alpine", first.repository().toString());

            RegistryClient client = RegistryClient.builder().build();
            RegistryClient.ResolvedImage image = client.resolveImage(first.repository(),
                    first.reference().manifestReference(), Platform.host());
            assertEquals(pushed.digest(), image.manifest().digest());
        }
    }

    @Test
    void resolverFallsBackFromAMirrorThatLacksTheImage() throws Exception {
        try (TestRegistry emptyMirror = TestRegistry.start(); TestRegistry origin = TestRegistry.start()) {
            TestImages.Pushed pushed = TestImages.builder().layer(Map.of("f", new byte[] {1})).push(origin, "team/app:2");
            Path conf = dir.resolve("registries.conf");
            Files.writeString(conf, "unqualified-search-registries = [\"" + origin.host() + "\"]\n"
                    + "[[registry]]\nlocation = \"" + origin.host() + "\"\ninsecure = true\n"
                    + "[[registry.mirror]]\nlocation = \"" + emptyMirror.host() + "\"\ninsecure = true\n");
            RemoteImageResolver resolver = new RemoteImageResolver(RegistriesConf.load(dir.resolve("absent"), conf),
                    RegistryClient.builder().build());

            RemoteImageResolver.Found found = resolver.resolve(ImageReference.parse("team/app:2"), Platform.host());
            assertEquals(origin.host() + "/team/app:2", found.reference().toString());
            assertEquals(false, found.endpoint().mirror());
            assertEquals(pushed.digest(), found.image().manifest().digest());

            JrunException missing = assertThrows(JrunException.class,
                    () -> resolver.resolve(ImageReference.parse("team/none"), Platform.host()));
            assertTrue(missing.getMessage().startsWith("pull team/none: no registry served it; tried:\n  fetch manifest "
                    + emptyMirror.host() + "/team/none:latest: "), missing.getMessage());
            assertTrue(missing.getMessage().contains("\n  fetch manifest " + origin.host() + "/team/none:latest: "),
                    missing.getMessage());
        }
    }
}
