package dev.jrun.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.oci.Digest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test image builder writes what it promises (other tests rely on it). */
class TestLayerTest {
    private static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void layerHoldsEveryKindOfEntryWithOwnersAndModes() throws Exception {
        TestLayer layer = TestLayer.builder()
                .dir("etc", 0755, 0, 0)
                .file("etc/shadow", "x".getBytes(), 0640, 0, 42)
                .file("bin/su", new byte[] {1}, 04755, 0, 0)
                .file("home/nobody/f", new byte[0], 0600, 65534, 65534)
                .symlink("bin/sh", "busybox")
                .hardlink("bin/ls", "bin/su")
                .whiteout("var/cache/old")
                .opaque("var/lib")
                .fifo("run/fifo")
                .charDevice("dev/null", 1, 3)
                .raw(new TarArchiveEntry("../escape", true), null)
                .build();
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(layer.blob()))) {
            assertArrayEquals(layer.tar(), gz.readAllBytes());
        }
        assertEquals(Digest.sha256(layer.blob()), layer.digest());
        assertEquals(Digest.sha256(layer.tar()), layer.diffId());
        List<TarArchiveEntry> entries = entries(layer.tar());
        assertEquals(List.of("etc/", "etc/shadow", "bin/su", "home/nobody/f", "bin/sh", "bin/ls", "var/cache/.wh.old",
                "var/lib/.wh..wh..opq", "run/fifo", "dev/null", "../escape"), entries.stream().map(TarArchiveEntry::getName).toList());
        assertEquals(42, entries.get(1).getLongGroupId());
        assertEquals(0640, entries.get(1).getMode() & 07777);
        assertEquals(04755, entries.get(2).getMode() & 07777);
        assertEquals(65534, entries.get(3).getLongUserId());
        assertTrue(entries.get(4).isSymbolicLink());
        assertEquals("busybox", entries.get(4).getLinkName());
        assertTrue(entries.get(5).isLink());
        assertEquals("bin/su", entries.get(5).getLinkName());
        assertTrue(entries.get(8).isFIFO());
        assertTrue(entries.get(9).isCharacterDevice());
        assertEquals(3, entries.get(9).getDevMinor());
    }

    @Test
    void imageConfigListsTheLayersDiffIds() throws Exception {
        TestImages.Image image = TestImages.builder().platform("linux/arm64/v8")
                .layer(Map.of("a/b/c", new byte[] {1}))
                .layer(TestLayer.builder().file("d", "e").uncompressed().build())
                .entrypoint("/bin/sh").cmd("-c", "true").env("A=1").workingDir("/a").user("65534:65534")
                .build();
        JsonNode config = new ObjectMapper().readTree(image.config());
        assertEquals("arm64", config.path("architecture").asText());
        assertEquals("v8", config.path("variant").asText());
        assertEquals(image.layers().get(0).diffId().toString(), config.path("rootfs").path("diff_ids").get(0).asText());
        assertEquals(image.layers().get(1).diffId().toString(), config.path("rootfs").path("diff_ids").get(1).asText());
        assertEquals("65534:65534", config.path("config").path("User").asText());
        assertEquals(List.of("a/", "a/b/", "a/b/c"), entries(image.layers().get(0).tar()).stream().map(TarArchiveEntry::getName).toList());
        assertEquals(Digest.sha256(image.manifest()), image.digest());
    }
}
