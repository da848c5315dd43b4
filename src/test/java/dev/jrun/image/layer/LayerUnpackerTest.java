package dev.jrun.image.layer;

import dev.jrun.oci.DiffId;
import dev.jrun.testing.TarBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Well-formed layers: everything a real image uses comes out as overlayfs expects it. */
class LayerUnpackerTest {

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    @TempDir
    Path temp;
    Path root;
    LayerUnpacker unpacker;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(temp.resolve("layer"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        unpacker = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker());
    }

    private UnpackResult unpack(byte[] layer) throws Exception {
        return unpacker.unpack(new ByteArrayInputStream(layer), root, null, null);
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static String xattr(Path p, String userName) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!v.list().contains(userName)) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(v.size(userName));
        v.read(userName, buf);
        return new String(buf.array(), StandardCharsets.UTF_8);
    }

    @Test
    void diffIdIsTheSha256OfTheUncompressedStreamWhetherGzippedOrNot() throws Exception {
        byte[] tar = new TarBuilder().dir("etc/", 0755).file("etc/hostname", "box\n").build();
        UnpackResult plain = unpack(tar);
        assertEquals(TarBuilder.sha256(tar), plain.diffId().toString());
        assertEquals(tar.length, plain.uncompressedBytes());
        assertEquals(UnpackResult.Compression.NONE, plain.compression());

        Path second = Files.createDirectory(temp.resolve("second"));
        UnpackResult gz = unpacker.unpack(new ByteArrayInputStream(TarBuilder.gzip(tar)), second, null,
                DiffId.parse(TarBuilder.sha256(tar)));
        assertEquals(plain.diffId(), gz.diffId());
        assertEquals(UnpackResult.Compression.GZIP, gz.compression());
        assertEquals("box\n", Files.readString(second.resolve("etc/hostname")));
    }

    @Test
    void modesIncludingSetuidSetgidStickyArePreserved() throws Exception {
        unpack(new TarBuilder().dir("usr/bin/", 0755).file("usr/bin/su", "#!", 04755).file("usr/bin/wall", "#!", 02755)
                .dir("tmp/", 01777).dir("srv/", 02775).file("ro", "r", 0400).dir("locked/", 0500)
                .file("locked/inner", "i", 0600).build());
        assertEquals(04755, mode(root.resolve("usr/bin/su")) & 07777);
        assertEquals(02755, mode(root.resolve("usr/bin/wall")) & 07777);
        assertEquals(01777, mode(root.resolve("tmp")) & 07777);
        assertEquals(02775, mode(root.resolve("srv")) & 07777);
        assertEquals(0400, mode(root.resolve("ro")) & 07777);
        assertEquals(0500, mode(root.resolve("locked")) & 07777);
        assertEquals("i", Files.readString(root.resolve("locked/inner")));
    }

    @Test
    void mtimesOfFilesDirectoriesAndSymlinksArePreserved() throws Exception {
        unpack(new TarBuilder().dir("a/", 0755).dir("a/b/", 0755).file("a/b/f", "x").symlink("a/l", "b/f").build());
        FileTime expected = FileTime.fromMillis(TarBuilder.MTIME_MILLIS);
        for (String p : List.of("a", "a/b", "a/b/f", "a/l")) {
            assertEquals(expected, Files.getLastModifiedTime(root.resolve(p), LinkOption.NOFOLLOW_LINKS), p);
        }
    }

    @Test
    void symlinksAreStoredVerbatimAndHardLinksShareTheInode() throws Exception {
        unpack(new TarBuilder().dir("bin/", 0755).file("bin/busybox", "BB", 0755).hardlink("bin/sh", "bin/busybox")
                .symlink("bin/ls", "/bin/busybox").symlink("lib", "usr/lib").build());
        assertEquals("/bin/busybox", Files.readSymbolicLink(root.resolve("bin/ls")).toString());
        assertEquals("usr/lib", Files.readSymbolicLink(root.resolve("lib")).toString());
        assertEquals(Files.getAttribute(root.resolve("bin/busybox"), "unix:ino"),
                Files.getAttribute(root.resolve("bin/sh"), "unix:ino"));
        assertEquals(2, Files.getAttribute(root.resolve("bin/sh"), "unix:nlink"));
    }

    @Test
    void whiteoutBecomesACharacterDevice00() throws Exception {
        unpack(new TarBuilder().dir("etc/", 0755).file("etc/.wh.motd", "").build());
        Path w = root.resolve("etc/motd");
        assertEquals(S_IFCHR, mode(w) & S_IFMT, "whiteout must be a character device");
        assertEquals(0L, ((Number) Files.getAttribute(w, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
        assertFalse(Files.exists(root.resolve("etc/.wh.motd"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void opaqueDirectoryGetsTheUserOverlayOpaqueXattr() throws Exception {
        unpack(new TarBuilder().dir("var/", 0755).dir("var/cache/", 0755).file("var/cache/.wh..wh..opq", "")
                .file("var/cache/new", "n").build());
        assertEquals("y", xattr(root.resolve("var/cache"), "overlay.opaque"));
        assertFalse(Files.exists(root.resolve("var/cache/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(null, xattr(root.resolve("var"), "overlay.opaque"));
    }

    @Test
    void whiteoutAndDirectoryOfTheSameNameInOneLayerMakeAnOpaqueDirectory() throws Exception {
        // OCI: a whiteout hides only lower layers; the directory this layer ships stays, alone.
        unpack(new TarBuilder().file(".wh.opt", "").dir("opt/", 0755).file("opt/new", "n").build());
        assertTrue(Files.isDirectory(root.resolve("opt"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("y", xattr(root.resolve("opt"), "overlay.opaque"));
        assertEquals("n", Files.readString(root.resolve("opt/new")));
    }

    @Test
    void whiteoutAfterAFileOfTheSameLayerKeepsTheFile() throws Exception {
        unpack(new TarBuilder().file("f", "mine").file(".wh.f", "").build());
        assertEquals("mine", Files.readString(root.resolve("f")));
    }

    @Test
    void ownershipPlanListsEveryEntryNotOwnedByRoot() throws Exception {
        UnpackResult r = unpack(new TarBuilder().dir("home/", 0755)
                .entry("home/alice/", org.apache.commons.compress.archivers.tar.TarConstants.LF_DIR, 0700, null, null,
                        e -> { e.setUserId(1000); e.setGroupId(1000); })
                .owned("home/alice/notes", "n", 0600, 1000, 1000)
                .owned("usr/bin/crontab", "c", 02755, 0, 42)
                .owned("root-owned", "r", 0644, 0, 0)
                .entry("nobody-link", org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK, 0777,
                        "home", null, e -> { e.setUserId(65534); e.setGroupId(65534); })
                .hardlink("home/alice/notes-link", "home/alice/notes")
                .build());
        Map<String, OwnershipEntry> byPath = new java.util.HashMap<>();
        r.ownership().entries().forEach(e -> byPath.put(e.relativePath(), e));
        assertEquals(java.util.Set.of("home/alice", "home/alice/notes", "usr/bin/crontab", "nobody-link",
                "home/alice/notes-link"), byPath.keySet());
        OwnershipEntry crontab = byPath.get("usr/bin/crontab");
        assertEquals("usr/bin", crontab.parent());
        assertEquals("crontab", crontab.name());
        assertEquals(42, crontab.gid());
        assertEquals(02755, crontab.restoreMode(), "setgid must be restored after the chown clears it");
        assertEquals(-1, byPath.get("home/alice/notes").restoreMode());
        assertTrue(byPath.get("nobody-link").symlink());
        assertEquals("", byPath.get("nobody-link").parent());
        assertEquals(1000, byPath.get("home/alice/notes-link").uid());
        assertEquals(65534, r.ownership().maxUid());
        // parents come before children
        List<String> order = r.ownership().entries().stream().map(OwnershipEntry::relativePath).toList();
        assertTrue(order.indexOf("home/alice") < order.indexOf("home/alice/notes"));
    }

    @Test
    void userXattrsArePreserved() throws Exception {
        UnpackResult r = unpack(new TarBuilder().withXattrs("f", "x", Map.of("user.mime_type", "text/plain")).build());
        assertEquals("text/plain", xattr(root.resolve("f"), "mime_type"));
        assertTrue(r.notes().isEmpty(), r.notes().toString());
    }

    @Test
    void missingParentsAreCreatedAndTheRootEntryAppliesToTheRoot() throws Exception {
        unpack(new TarBuilder().dir("./", 0755).file("deep/er/file", "x").build());
        assertEquals(0755, mode(root) & 07777);
        assertEquals(0755, mode(root.resolve("deep/er")) & 07777);
    }

    @Test
    void emptyLayerIsValid() throws Exception {
        byte[] empty = new byte[1024];
        UnpackResult r = unpack(empty);
        assertEquals(0, r.entries());
        assertEquals(TarBuilder.sha256(empty), r.diffId().toString());
    }
}
