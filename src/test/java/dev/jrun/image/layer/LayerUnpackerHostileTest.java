package dev.jrun.image.layer;

import dev.jrun.oci.DiffId;
import dev.jrun.testing.TarBuilder;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-layer corpus: every archive is built here, aims at the sandbox's "outside" area,
 * and each test asserts both the verdict (with what the message says) and that nothing
 * outside the layer root changed.
 */
class LayerUnpackerHostileTest {

    @TempDir
    Path temp;
    Sandbox box;
    LayerUnpacker unpacker;

    @BeforeEach
    void setUp() throws IOException {
        box = new Sandbox(temp);
        unpacker = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker());
    }

    private LayerRefusedException refused(byte[] layer, String... messageParts) throws IOException {
        LayerRefusedException e = assertThrows(LayerRefusedException.class,
                () -> unpacker.unpack(new ByteArrayInputStream(layer), box.layer, "application/vnd.oci.image.layer.v1.tar", null));
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message should mention \"" + part + "\": " + e.getMessage());
        }
        box.assertOutsideUntouched();
        return e;
    }

    private UnpackResult accepted(byte[] layer) throws Exception {
        UnpackResult r = unpacker.unpack(new ByteArrayInputStream(layer), box.layer, null, null);
        box.assertOutsideUntouched();
        return r;
    }

    @Test
    void absoluteNamesAreMadeRelativeToTheLayerRoot() throws Exception {
        accepted(new TarBuilder().file(box.outside.resolve("sentinel").toString(), "evil").build());
        Path landed = box.layer.resolve(box.outside.resolve("sentinel").toString().substring(1));
        assertEquals("evil", Files.readString(landed));
    }

    @Test
    void dotDotTraversalIsRefused() throws Exception {
        refused(new TarBuilder().file("../outside/sentinel", "evil").build(), "\"..\"", "../outside/sentinel");
    }

    @Test
    void dotDotInTheMiddleIsRefused() throws Exception {
        refused(new TarBuilder().dir("a/", 0755).file("a/../../outside/sentinel", "evil").build(), "\"..\"");
    }

    @Test
    void writingThroughASymlinkToOutsideIsRefused() throws Exception {
        // The classic: a -> /outside, then a/sentinel (CVE-2018-15664 / Zip Slip family).
        refused(new TarBuilder().symlink("a", box.outside.toString()).file("a/sentinel", "evil").build(),
                "a/sentinel", "symlink");
    }

    @Test
    void writingThroughASymlinkChainIsRefused() throws Exception {
        refused(new TarBuilder().symlink("b", box.outside.toString()).symlink("a", "b")
                .file("a/subdir/keep", "evil").build(), "symlink");
    }

    @Test
    void writingThroughARelativeSymlinkEscapeIsRefused() throws Exception {
        refused(new TarBuilder().dir("d/", 0755).symlink("d/up", "../../outside").file("d/up/sentinel", "evil").build(),
                "symlink");
    }

    @Test
    void replacingTheTargetOfAnEarlierSymlinkDoesNotFollowIt() throws Exception {
        // A file entry with the same name as an earlier symlink replaces the link itself.
        accepted(new TarBuilder().symlink("s", box.outside.resolve("sentinel").toString()).file("s", "evil").build());
        assertEquals("evil", Files.readString(box.layer.resolve("s")));
        assertFalse(Files.isSymbolicLink(box.layer.resolve("s")));
    }

    @Test
    void hardLinkWithDotDotIsRefused() throws Exception {
        refused(new TarBuilder().hardlink("h", "../outside/sentinel").build(), "hard link", "\"..\"");
    }

    @Test
    void absoluteHardLinkTargetIsResolvedInsideAndRefusedWhenMissing() throws Exception {
        refused(new TarBuilder().hardlink("h", box.outside.resolve("sentinel").toString()).build(),
                "hard link", "does not exist");
    }

    @Test
    void hardLinkToASymlinkIsRefused() throws Exception {
        refused(new TarBuilder().symlink("s", box.outside.resolve("sentinel").toString()).hardlink("h", "s").build(),
                "hard link", "not a regular file");
    }

    @Test
    void hardLinkThroughASymlinkedDirectoryIsRefused() throws Exception {
        refused(new TarBuilder().symlink("d", box.outside.toString()).hardlink("h", "d/sentinel").build(),
                "hard link", "symlink");
    }

    @Test
    void hardLinkToANotYetExtractedFileIsRefused() throws Exception {
        refused(new TarBuilder().hardlink("h", "later").file("later", "x").build(), "hard link", "later");
    }

    @Test
    void hardLinkToADirectoryIsRefused() throws Exception {
        refused(new TarBuilder().dir("d/", 0755).hardlink("h", "d").build(), "not a regular file");
    }

    @Test
    void hardLinkToItselfIsRefused() throws Exception {
        refused(new TarBuilder().file("f", "x").hardlink("f", "f").build(), "link itself");
    }

    @Test
    void whiteoutOfDotDotIsRefused() throws Exception {
        refused(new TarBuilder().dir("a/", 0755).file("a/.wh..", "").build(), "whiteout");
    }

    @Test
    void whiteoutWithTraversalIsRefused() throws Exception {
        refused(new TarBuilder().file("../outside/.wh.sentinel", "").build(), "\"..\"");
    }

    @Test
    void whiteoutThroughASymlinkIsRefused() throws Exception {
        refused(new TarBuilder().symlink("d", box.outside.toString()).file("d/.wh.sentinel", "").build(), "symlink");
        assertTrue(Files.isRegularFile(box.outside.resolve("sentinel"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void opaqueMarkerThroughASymlinkIsRefused() throws Exception {
        refused(new TarBuilder().symlink("d", box.outside.toString()).file("d/.wh..wh..opq", "").build(), "symlink");
    }

    @Test
    void opaqueMarkerBelowAFileIsRefused() throws Exception {
        refused(new TarBuilder().file("f", "x").file("f/.wh..wh..opq", "").build(), "non-directory");
    }

    @Test
    void plantedOverlayXattrsAreNotSet() throws Exception {
        UnpackResult r = accepted(new TarBuilder().dir("d/", 0755)
                .withXattrs("d/f", "x", Map.of("user.overlay.redirect", "/etc", "trusted.overlay.opaque", "y",
                        "user.fine", "ok")).build());
        var view = Files.getFileAttributeView(box.layer.resolve("d/f"),
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertEquals(java.util.List.of("fine"), view.list());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("user.overlay.redirect")), r.notes().toString());
    }

    @Test
    void hugeDeclaredSizeIsRefusedBeforeReading() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TarBuilder.rawHeader("big", TarConstants.LF_NORMAL, 1L << 40));
        out.write(new byte[4096]);
        unpacker = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker());
        refused(out.toByteArray(), "big", "declares 1099511627776 bytes", "maxEntryBytes");
    }

    @Test
    void hugeGnuLongNameIsRefusedBeforeItIsBuffered() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TarBuilder.rawHeader("././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, 8L << 30));
        out.write(new byte[4096]);
        refused(out.toByteArray(), "GNU long name", "8589934592", "archive bomb");
    }

    @Test
    void hugePaxHeaderIsRefusedBeforeItIsBuffered() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TarBuilder.rawHeader("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, 3L << 20));
        out.write(new byte[4096]);
        refused(out.toByteArray(), "PAX header", "archive bomb");
    }

    @Test
    void ordinaryPaxAndLongNamesStillWork() throws Exception {
        String longName = "d/" + ("n".repeat(200) + "/").repeat(3) + "f";
        accepted(new TarBuilder().withXattrs(longName, "x", Map.of("user.a", "b")).build());
        assertEquals("x", Files.readString(box.layer.resolve(longName)));
    }

    @Test
    void declaredSizeBeyondTheDataIsATruncatedArchive() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TarBuilder.rawHeader("short", TarConstants.LF_NORMAL, 100_000));
        out.write(new byte[1024]);
        refused(out.toByteArray(), "short");
    }

    @Test
    void decompressionBombIsRefused() throws Exception {
        byte[] zeros = new byte[8 << 20];
        byte[] layer = TarBuilder.gzip(new TarBuilder().file("bomb", zeros, 0644, e -> { }).build());
        assertTrue(layer.length < 100_000, "the test layer should compress well");
        // Per-file cap left high: the total cap alone must stop it, while streaming.
        unpacker = new LayerUnpacker(new UnpackLimits(1 << 20, 32L << 30, 1000, 4096, 256, 65536),
                new MknodCommandWhiteoutMaker());
        refused(layer, "decompression bomb", "maxTotalBytes");
    }

    @Test
    void tooManyEntriesIsRefused() throws Exception {
        TarBuilder b = new TarBuilder();
        for (int i = 0; i < 20; i++) {
            b.file("f" + i, "x");
        }
        unpacker = new LayerUnpacker(UnpackLimits.defaults().withMaxEntries(10), new MknodCommandWhiteoutMaker());
        refused(b.build(), "maxEntries");
    }

    @Test
    void tooDeepIsRefused() throws Exception {
        String deep = "a/".repeat(300) + "f";
        refused(new TarBuilder().file(deep, "x").build(), "deep", "maxDepth");
    }

    @Test
    void tooLongAComponentIsRefused() throws Exception {
        refused(new TarBuilder().file("d/" + "n".repeat(300), "x").build(), "longer than 255 bytes");
    }

    @Test
    void tooLongANameIsRefused() throws Exception {
        refused(new TarBuilder().file("n".repeat(5000), "x").build(), "maxNameLength");
    }

    @Test
    void truncatedArchiveIsRefused() throws Exception {
        byte[] whole = new TarBuilder().file("a", new byte[100_000], 0644, e -> { }).file("b", "x").build();
        refused(Arrays.copyOf(whole, 50_000), "truncated");
    }

    @Test
    void truncatedGzipIsRefused() throws Exception {
        byte[] whole = TarBuilder.gzip(new TarBuilder().file("a", randomBytes(200_000), 0644, e -> { }).build());
        refused(Arrays.copyOf(whole, whole.length / 2), "compressed stream ends early", "pull again");
    }

    @Test
    void garbageIsRefused() throws Exception {
        refused(randomBytes(10_000), "not a tar archive");
    }

    @Test
    void garbageInsideGzipIsRefused() throws Exception {
        refused(TarBuilder.gzip(randomBytes(10_000)), "not a tar archive");
    }

    @Test
    void corruptHeaderAfterAValidEntryIsRefused() throws Exception {
        byte[] layer = new TarBuilder().file("a", "x").file("b", "y").build();
        // Second header starts at 1024 (header a + one data block); smash its checksum field.
        Arrays.fill(layer, 1024 + 148, 1024 + 156, (byte) 'Z');
        refused(layer, "not a valid tar archive", "after entry \"a\"");
    }

    @Test
    void emptyInputIsAnEmptyLayerAsGoAndGnuTarReadIt() throws Exception {
        UnpackResult r = accepted(new byte[0]);
        assertEquals(0, r.entries());
        try (var list = java.nio.file.Files.list(box.layer)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void zstdIsRefusedNamingTheMediaType() throws Exception {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        LayerRefusedException e = assertThrows(LayerRefusedException.class, () -> unpacker.unpack(
                new ByteArrayInputStream(zstd), box.layer, "application/vnd.oci.image.layer.v1.tar+zstd", null));
        assertTrue(e.getMessage().contains("zstd") && e.getMessage().contains("application/vnd.oci.image.layer.v1.tar+zstd"),
                e.getMessage());
    }

    @Test
    void duplicateEntriesLaterWins() throws Exception {
        accepted(new TarBuilder().file("f", "first").file("f", "second").build());
        assertEquals("second", Files.readString(box.layer.resolve("f")));
    }

    @Test
    void directoryReplacesFile() throws Exception {
        accepted(new TarBuilder().file("x", "file").dir("x/", 0755).file("x/y", "inside").build());
        assertTrue(Files.isDirectory(box.layer.resolve("x"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("inside", Files.readString(box.layer.resolve("x/y")));
    }

    @Test
    void fileReplacesDirectoryAndItsOwnershipEntries() throws Exception {
        UnpackResult r = accepted(new TarBuilder().dir("d/", 0755).owned("d/child", "c", 0644, 1000, 1000)
                .symlink("d/link", box.outside.toString()).file("d", "now a file").build());
        assertEquals("now a file", Files.readString(box.layer.resolve("d")));
        assertTrue(r.ownership().entries().isEmpty(), r.ownership().toString());
    }

    @Test
    void devicesAreSkippedWithOneNote() throws Exception {
        UnpackResult r = accepted(new TarBuilder().special("dev/null", TarConstants.LF_CHR)
                .special("dev/sda", TarConstants.LF_BLK).special("fifo", TarConstants.LF_FIFO).file("ok", "x").build());
        assertFalse(Files.exists(box.layer.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, r.notes().size(), r.notes().toString());
        assertTrue(r.notes().get(0).startsWith("skipped 3 device nodes"), r.notes().get(0));
    }

    @Test
    void diffIdMismatchIsRefused() throws Exception {
        byte[] layer = new TarBuilder().file("f", "x").build();
        DiffId wrong = DiffId.parse("sha256:" + "0".repeat(64));
        LayerRefusedException e = assertThrows(LayerRefusedException.class,
                () -> unpacker.unpack(new ByteArrayInputStream(layer), box.layer, null, wrong));
        assertTrue(e.getMessage().contains(wrong.toString()) && e.getMessage().contains(TarBuilder.sha256(layer)),
                e.getMessage());
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }
}
