package dev.jrun.image.layer;

import dev.jrun.oci.DiffId;

import dev.jrun.testing.TarBuilder;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fallback when overlayfs is unavailable: layers applied into one directory. */
class LayerFlattenTest {

    @TempDir
    Path temp;
    Sandbox box;
    LayerUnpacker unpacker;

    @BeforeEach
    void setUp() throws Exception {
        box = new Sandbox(temp);
        unpacker = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker());
    }

    private Set<String> tree() throws Exception {
        try (Stream<Path> s = Files.walk(box.layer)) {
            return s.filter(p -> !p.equals(box.layer)).map(p -> box.layer.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesDeleteLowerContent() throws Exception {
        byte[] base = new TarBuilder()
                .dir("dir/", 0755).file("dir/gone", "a").file("dir/kept", "b")
                .dir("opq/", 0755).file("opq/old", "o").dir("opq/olddir/", 0755).file("opq/olddir/f", "f")
                .dir("tree/", 0755).owned("tree/leaf", "t", 0644, 1000, 1000)
                .dir("usr/", 0755).dir("usr/lib/", 0755).symlink("lib", "usr/lib")
                .dir("ro/", 0555).file("ro/old", "r")
                .owned("stays", "s", 0644, 7, 7)
                .build();
        byte[] top = new TarBuilder()
                .dir("dir/", 0755).file("dir/.wh.gone", "")
                .dir("opq/", 0755).file("opq/new", "n").file("opq/.wh..wh..opq", "")
                .file(".wh.tree", "")
                .file("lib/x", "replaces the lower symlink with a directory")
                .file("ro/new", "written into a lower 0555 directory")
                .owned("stays", "now root's", 0644, 0, 0)
                .build();
        LayerUnpacker.Flattening f = unpacker.flatten(box.layer);
        f.apply(new ByteArrayInputStream(TarBuilder.gzip(base)), null, null);
        f.apply(new ByteArrayInputStream(top), null, dev.jrun.oci.DiffId.parse(TarBuilder.sha256(top)));
        OwnershipPlan plan = f.finish();

        assertEquals(new TreeSet<>(List.of("dir", "dir/kept", "opq", "opq/new", "usr", "usr/lib", "lib", "lib/x",
                "ro", "ro/old", "ro/new", "stays")), tree());
        assertTrue(Files.isDirectory(box.layer.resolve("lib"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(0555, (Integer) Files.getAttribute(box.layer.resolve("ro"), "unix:mode") & 07777,
                "the lower directory's mode is restored after writing into it");
        assertTrue(plan.isEmpty(), "deleted and re-owned paths must leave the merged plan: " + plan);
        box.assertOutsideUntouched();
    }

    @Test
    void aLowerSymlinkIsReplacedNeverFollowed() throws Exception {
        LayerUnpacker.Flattening f = unpacker.flatten(box.layer);
        f.apply(new ByteArrayInputStream(new TarBuilder().symlink("esc", box.outside.toString()).build()), null, null);
        f.apply(new ByteArrayInputStream(new TarBuilder().file("esc/sentinel", "evil").file("esc/.wh.keep", "")
                .build()), null, null);
        f.finish();
        box.assertOutsideUntouched();
        assertEquals("evil", Files.readString(box.layer.resolve("esc/sentinel")));
    }

    @Test
    void whiteoutThroughALowerSymlinkDeletesNothingOutside() throws Exception {
        LayerUnpacker.Flattening f = unpacker.flatten(box.layer);
        f.apply(new ByteArrayInputStream(new TarBuilder().symlink("esc", box.outside.toString()).build()), null, null);
        f.apply(new ByteArrayInputStream(new TarBuilder().file("esc/.wh.sentinel", "").file("esc/subdir/.wh..wh..opq", "")
                .build()), null, null);
        f.finish();
        box.assertOutsideUntouched();
    }

    @Test
    void theSameLayerRulesApplyToEveryLayer() throws Exception {
        LayerUnpacker.Flattening f = unpacker.flatten(box.layer);
        f.apply(new ByteArrayInputStream(new TarBuilder().file("f", "x").build()), null, null);
        // A hard link may not reach into a lower layer, even in a flattened copy.
        assertThrows(LayerRefusedException.class, () -> f.apply(new ByteArrayInputStream(
                new TarBuilder().hardlink("h", "f").build()), null, null));
        box.assertOutsideUntouched();
    }

    @Test
    void ownershipIsMergedAcrossLayers() throws Exception {
        LayerUnpacker.Flattening f = unpacker.flatten(box.layer);
        f.apply(new ByteArrayInputStream(new TarBuilder().owned("a", "1", 0644, 1, 1).owned("b", "2", 0644, 2, 2).build()),
                null, null);
        f.apply(new ByteArrayInputStream(new TarBuilder().owned("b", "3", 04755, 3, 3)
                .entry("c", TarConstants.LF_SYMLINK, 0777, "a", null, e -> e.setUserId(4)).build()), null, null);
        OwnershipPlan plan = f.finish();
        assertEquals(List.of("a:1", "b:3", "c:4"), plan.entries().stream()
                .map(e -> e.relativePath() + ":" + e.uid()).sorted().toList());
        assertEquals(04755, plan.entries().stream().filter(e -> e.name().equals("b")).findFirst().orElseThrow().restoreMode());
        assertFalse(Files.isSymbolicLink(box.layer.resolve("b")));
    }
}
