package dev.jrun.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory to tar and back; and what a hostile container's tar must not do to the host. */
class TreeArchiveTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("a/b"));
        Files.writeString(src.resolve("a/b/nested.txt"), "nested\n");
        Files.writeString(src.resolve("top.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(src.resolve("top.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(src.resolve("link"), Path.of("a/b/nested.txt"));
        Files.createSymbolicLink(src.resolve("host-passwd"), Path.of("/etc/passwd"));
        return src;
    }

    private static List<String> names(byte[] tar) throws IOException {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                out.add(e.getName() + (e.isSymbolicLink() ? " -> " + e.getLinkName() : "") + " " + Integer.toOctalString(e.getMode())
                        + " " + e.getLongUserId());
            }
        }
        return out.stream().sorted().toList();
    }

    @Test
    void aTreeIsPackedWithItsModesAndLinksAsLinksOwnedByRoot() throws IOException {
        assertEquals(List.of("a/ 40755 0", "a/b/ 40755 0", "a/b/nested.txt 100644 0", "host-passwd -> /etc/passwd 120777 0",
                "link -> a/b/nested.txt 120777 0", "top.sh 100750 0"), names(TreeArchive.pack(tree())));
    }

    @Test
    void aPackedTreeUnpacksAsItWas() throws IOException {
        Path out = tmp.resolve("out/deeper");
        TreeArchive.unpack(TreeArchive.pack(tree()), out);
        assertEquals("nested\n", Files.readString(out.resolve("a/b/nested.txt")));
        assertEquals(Path.of("a/b/nested.txt"), Files.readSymbolicLink(out.resolve("link")));
        assertEquals("nested\n", Files.readString(out.resolve("link")));
        // A link to an absolute path is copied as a link, never as the file it names.
        assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(out.resolve("host-passwd")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("top.sh"))));
    }

    private interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            entries.write(tar);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);   // true: keep a leading "/" (as a hostile tar would)
        e.setSize(b.length);
        e.setMode(0104755);   // setuid: dropped on the host
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    @Test
    void whatATarFromTheContainerNamesStaysInTheTarget() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path target = tmp.resolve("target");
        IOException climb = assertThrows(IOException.class,
                () -> TreeArchive.unpack(tar(t -> file(t, "../outside/x", "no")), target));
        assertTrue(climb.getMessage().contains("climbs out"), climb.getMessage());
        IOException absolute = assertThrows(IOException.class,
                () -> TreeArchive.unpack(tar(t -> file(t, "/outside/x", "no")), target));
        assertTrue(absolute.getMessage().contains("absolute"), absolute.getMessage());
        // A symlink, then a file "through" it: refused, nothing written where it points.
        IOException through = assertThrows(IOException.class, () -> TreeArchive.unpack(tar(t -> {
            symlink(t, "./escape", outside.toString());
            file(t, "./escape/x", "no");
        }), target));
        assertTrue(through.getMessage().contains("beneath the symbolic link escape"), through.getMessage());
        // A hard link to a host file.
        Files.writeString(outside.resolve("secret"), "secret\n");
        IOException hard = assertThrows(IOException.class, () -> TreeArchive.unpack(tar(t -> {
            TarArchiveEntry e = new TarArchiveEntry("stolen", TarArchiveEntry.LF_LINK);
            e.setLinkName("../outside/secret");
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }), target));
        assertTrue(hard.getMessage().contains("climbs out"), hard.getMessage());
        try (var s = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("secret")), s.toList());
        }
    }

    @Test
    void aFileReplacesALinkAtItsPlaceInsteadOfWritingThroughIt() throws IOException {
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, "host file\n");
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.createSymbolicLink(target.resolve("f"), victim);
        TreeArchive.unpack(tar(t -> file(t, "f", "from the container\n")), target);
        assertEquals("host file\n", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(target.resolve("f")));
        assertEquals("from the container\n", Files.readString(target.resolve("f")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("f"),
                LinkOption.NOFOLLOW_LINKS)));
    }

    @Test
    void aReadOnlyDirectoryIsFilledBeforeItsModeIsSet() throws IOException {
        Path target = tmp.resolve("target");
        TreeArchive.unpack(tar(t -> {
            TarArchiveEntry d = new TarArchiveEntry("ro/");
            d.setMode(040555);
            t.putArchiveEntry(d);
            t.closeArchiveEntry();
            file(t, "ro/inside", "x");
        }), target);
        assertEquals("x", Files.readString(target.resolve("ro/inside")));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("ro"))));
        Files.setPosixFilePermissions(target.resolve("ro"), PosixFilePermissions.fromString("rwxr-xr-x"));   // for @TempDir's cleanup
    }
}
