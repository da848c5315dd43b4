package dev.jrun.image;

import dev.jrun.registry.Platform;
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
}
