package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestParserTest {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);
    private static final String CONFIG = "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + D1 + "\",\"size\":10}";
    private static final String LAYERS = "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + D2 + "\",\"size\":20}]";

    private static Manifest parse(String json, String contentType) throws JrunException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ManifestParser.parse(new FetchedManifest(bytes, contentType, Digest.sha256(bytes)), "r.example/app:1");
    }

    private static String failure(String json, String contentType) {
        return assertThrows(JrunException.class, () -> parse(json, contentType)).getMessage();
    }

    @Test
    void ociManifestWithoutMediaTypeFieldUsesTheHeader() throws Exception {
        ImageManifest m = (ImageManifest) parse("{\"schemaVersion\":2," + CONFIG + "," + LAYERS + "}", MediaTypes.OCI_MANIFEST);
        assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
        assertEquals(D1, m.config().digest().toString());
        assertEquals(20, m.layers().get(0).size());
    }

    @Test
    void indexEntriesCarryPlatforms() throws Exception {
        ManifestIndex index = (ManifestIndex) parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + D1 + "\",\"size\":5,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + D2 + "\",\"size\":5,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}", "");
        assertEquals("linux/arm64/v8", index.manifests().get(0).platform().toString());
        assertEquals("linux/arm64/v8", index.availablePlatforms());
        assertEquals(D1, index.select(Platform.parse("linux/arm64"), "x").digest().toString());
        JrunException e = assertThrows(JrunException.class, () -> index.select(Platform.parse("linux/amd64"), "r.example/app:1"));
        assertTrue(e.getMessage().contains("r.example/app:1 has no image for platform linux/amd64; it has linux/arm64/v8"), e.getMessage());
    }

    @Test
    void ambiguousDocumentsAreRefused() {
        String both = "{\"schemaVersion\":2,\"manifests\":[]," + CONFIG + "," + LAYERS + "}";
        assertTrue(failure(both, MediaTypes.OCI_MANIFEST).contains("CVE-2021-41190"));
        String mismatch = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"," + CONFIG + "," + LAYERS + "}";
        assertTrue(failure(mismatch, MediaTypes.DOCKER_MANIFEST).contains("declares itself"));
        String indexWithoutList = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}";
        assertTrue(failure(indexWithoutList, "").contains("no \"manifests\" list"));
    }

    @Test
    void schema1AndArtifactsAndStrangeLayersAreExplained() {
        assertTrue(failure("{\"schemaVersion\":1,\"name\":\"x\"}", MediaTypes.DOCKER_SCHEMA1_SIGNED).contains("schema 1"));
        String artifact = "{\"schemaVersion\":2," + CONFIG.replace(MediaTypes.OCI_CONFIG, "application/vnd.cncf.helm.config.v1+json") + "," + LAYERS + "}";
        assertTrue(failure(artifact, MediaTypes.OCI_MANIFEST).contains("is not a container image"));
        String weirdLayer = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace(MediaTypes.OCI_LAYER_GZIP, "text/plain") + "}";
        assertTrue(failure(weirdLayer, MediaTypes.OCI_MANIFEST).contains("cannot unpack"));
    }

    @Test
    void hostileFieldsAreRefused() {
        assertTrue(failure("[1,2]", "").contains("not a JSON object"));
        assertTrue(failure("{not json", "").contains("not valid JSON"));
        assertTrue(failure("{\"schemaVersion\":3}", "").contains("schemaVersion"));
        String negative = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace("\"size\":20", "\"size\":-1") + "}";
        assertTrue(failure(negative, MediaTypes.OCI_MANIFEST).contains("no valid size"));
        String fractional = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace("\"size\":20", "\"size\":2.5") + "}";
        assertTrue(failure(fractional, MediaTypes.OCI_MANIFEST).contains("no valid size"));
        String textSize = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace("\"size\":20", "\"size\":\"20\"") + "}";
        assertTrue(failure(textSize, MediaTypes.OCI_MANIFEST).contains("no valid size"));
        String badDigest = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace(D2, "sha256:../../etc/passwd") + "}";
        assertTrue(failure(badDigest, MediaTypes.OCI_MANIFEST).contains("not a valid digest"));
        String md5 = "{\"schemaVersion\":2," + CONFIG + "," + LAYERS.replace(D2, "md5:" + "0".repeat(32)) + "}";
        assertTrue(failure(md5, MediaTypes.OCI_MANIFEST).contains("not supported"));
        StringBuilder many = new StringBuilder("{\"schemaVersion\":2," + CONFIG + ",\"layers\":[");
        for (int i = 0; i <= ManifestParser.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + D2 + "\",\"size\":1}");
        }
        assertTrue(failure(many.append("]}").toString(), MediaTypes.OCI_MANIFEST).contains("more than 1000"));
    }

    @Test
    void documentWithoutAnyTypeIsGuessedFromItsFields() throws Exception {
        assertInstanceOf(ImageManifest.class, parse("{\"schemaVersion\":2," + CONFIG + "," + LAYERS + "}", "application/json"));
        assertInstanceOf(ManifestIndex.class, parse("{\"schemaVersion\":2,\"manifests\":[]}", "application/json"));
    }
}
