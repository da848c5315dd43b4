package dev.jrun.image;

import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReferenceTest {
    private static final String SHA = "sha256:" + "a".repeat(64);

    /** Expected forms are what `podman pull --help`-era containers/image prints for these inputs. */
    @ParameterizedTest
    @CsvSource({
        "alpine,                               docker.io/library/alpine:latest",
        "alpine:3.20,                          docker.io/library/alpine:3.20",
        "library/alpine,                       docker.io/library/alpine:latest",
        "bitnami/redis:7,                      docker.io/bitnami/redis:7",
        "docker.io/alpine,                     docker.io/library/alpine:latest",
        "index.docker.io/alpine,               docker.io/library/alpine:latest",
        "docker.io/library/alpine:edge,        docker.io/library/alpine:edge",
        "quay.io/podman/hello,                 quay.io/podman/hello:latest",
        "quay.io/alpine,                       quay.io/alpine:latest",
        "localhost/myimage,                    localhost/myimage:latest",
        "localhost:5000/a/b/c:v1.0-rc_1,       localhost:5000/a/b/c:v1.0-rc_1",
        "127.0.0.1:5000/test/busybox,          127.0.0.1:5000/test/busybox:latest",
        "registry.example.com/ns/app:TAG,      registry.example.com/ns/app:TAG",
        "Registry/ns/app,                      Registry/ns/app:latest",
        "[::1]:5000/app,                       [::1]:5000/app:latest",
        "my-host.example.com:443/a__b.c-d--e,  my-host.example.com:443/a__b.c-d--e:latest",
    })
    void normalisesLikePodman(String input, String expected) throws JrunException {
        assertEquals(expected, ImageReference.parse(input).toString());
    }

    @Test
    void digestOnlyReferenceHasNoTag() throws JrunException {
        ImageReference ref = ImageReference.parse("alpine@" + SHA);
        assertEquals("docker.io/library/alpine@" + SHA, ref.toString());
        assertTrue(ref.tag().isEmpty());
        assertEquals(SHA, ref.manifestReference());
    }

    @Test
    void tagAndDigestKeepsBothAndAsksForTheDigest() throws JrunException {
        ImageReference ref = ImageReference.parse("localhost:5000/app:1.0@" + SHA);
        assertEquals("1.0", ref.tag().orElseThrow());
        assertEquals(SHA, ref.digest().orElseThrow());
        assertEquals(SHA, ref.manifestReference());
        assertEquals("localhost:5000", ref.domain());
        assertEquals("app", ref.path());
    }

    @Test
    void shortNameKeepsTypedPathForSearchRegistries() throws JrunException {
        ImageReference ref = ImageReference.parse("alpine");
        assertTrue(ref.isShortName());
        assertEquals("library/alpine", ref.path());
        assertEquals("alpine", ref.typedPath());
        assertEquals("quay.io/alpine:latest", ref.onDomain("quay.io").toString());
        assertFalse(ImageReference.parse("docker.io/alpine").isShortName());
    }

    @Test
    void portWithoutPathIsATagOnAShortName() throws JrunException {
        // Docker and podman read "localhost:5000" as repository "localhost" with tag "5000".
        assertEquals("docker.io/library/localhost:5000", ImageReference.parse("localhost:5000").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "Alpine", "alpine:", ":tag", "alpine:-bad", "alpine:.bad", "a//b", "/alpine", "alpine/",
        "alpine@sha256:abc", "alpine@sha256:" + "A", "alpine@md5:0123456789abcdef0123456789abcdef",
        "alpine@notadigest", "bad_host.example.com/app", "-host.example.com/app", "host.example.com:99999/app",
        "host.example.com:port/app", "alpine:tag:tag", "ns/UPPER", "a..b", "a--", "localhost/",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    })
    void refusesInvalidInput(String input) {
        JrunException e = assertThrows(JrunException.class, () -> ImageReference.parse(input));
        assertTrue(e.getMessage().contains("invalid image reference \"" + input + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("a valid reference looks like"), e.getMessage());
    }

    @Test
    void upperCaseRepositoryIsExplained() {
        JrunException e = assertThrows(JrunException.class, () -> ImageReference.parse("quay.io/Podman/hello"));
        assertTrue(e.getMessage().contains("must be lowercase"), e.getMessage());
    }

    @Test
    void tooLongPathIsRefusedButTheHostDoesNotCount() throws JrunException {
        // distribution/reference v0.6.0: 255 characters of path, whatever the host's length.
        String atLimit = "quay.io/" + "a".repeat(255);
        assertEquals("a".repeat(255), ImageReference.parse(atLimit).path());
        String longHost = "registry." + "h".repeat(60) + ".example.com/" + "p".repeat(250);
        assertEquals("p".repeat(250), ImageReference.parse(longHost).path());
        JrunException e = assertThrows(JrunException.class, () -> ImageReference.parse("quay.io/" + "a".repeat(256)));
        assertTrue(e.getMessage().contains("longer than 255"), e.getMessage());
    }

    @Test
    void tagOf128IsAcceptedAnd129Refused() throws JrunException {
        ImageReference.parse("alpine:" + "t".repeat(128));
        assertThrows(JrunException.class, () -> ImageReference.parse("alpine:" + "t".repeat(129)));
    }

    @Test
    void sha512DigestIsAccepted() throws JrunException {
        String sha512 = "sha512:" + "b".repeat(128);
        assertEquals(sha512, ImageReference.parse("quay.io/a@" + sha512).digest().orElseThrow());
    }
}
