package dev.jrun.image.layer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7's corpus (src/test/resources/.../tar-corpus.py: Python's tarfile, GNU tar in every
 * format and sparse version, hand-made headers): every archive named ok-* unpacks to the tree
 * GNU tar 1.34 extracts from it as root (names, types, modes, owners through the ownership
 * plan, sizes, content, link targets, mtimes, sparse holes); every bad-* one is refused with a
 * message that says where, and GNU tar fails on it too.
 */
class TarCorpusTest {

    @TempDir
    static Path corpus;

    @BeforeAll
    static void makeCorpus() throws Exception {
        Path script = corpus.resolve("tar-corpus.py");
        try (InputStream in = TarCorpusTest.class.getResourceAsStream("tar-corpus.py")) {
            Files.copy(in, script);
        }
        Result r = run(List.of("python3", script.toString(), corpus.resolve("tars").toString()));
        assertEquals(0, r.exitCode, "making the corpus (python3 and GNU tar are needed): " + r.output);
    }

    @TestFactory
    Stream<DynamicTest> everyArchiveGnuTarExtractsUnpacksToTheSameTree() throws IOException {
        List<Path> tars = new ArrayList<>();
        try (var list = Files.list(corpus.resolve("tars"))) {
            list.filter(p -> p.getFileName().toString().startsWith("ok-")).sorted().forEach(tars::add);
        }
        assertTrue(tars.size() >= 15, "corpus incomplete: " + tars);
        return tars.stream().map(tar -> DynamicTest.dynamicTest(tar.getFileName().toString(), () -> sameTree(tar)));
    }

    @TestFactory
    Stream<DynamicTest> everyArchiveGnuTarRefusesIsRefusedSayingWhere() throws IOException {
        Map<String, String> expected = Map.of(
                "bad-garbage-after-entries.tar", "not a valid tar archive: a block where a tar header is due fails its"
                        + " checksum: it is not a tar header (at byte 1024 of the tar stream), after entry \"first\"");
        return expected.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Path tar = corpus.resolve("tars").resolve(e.getKey());
            Path root = Files.createTempDirectory(corpus, "ours");
            LayerRefusedException refused = assertThrows(LayerRefusedException.class, () -> unpack(tar, root));
            assertTrue(refused.getMessage().contains(e.getValue()), refused.getMessage());
            assertEquals(1, refused.getMessage().lines().count(), "one line: " + refused.getMessage());
            if (e.getKey().equals("bad-garbage-after-entries.tar")) {
                Path gnu = Files.createTempDirectory(corpus, "gnu");
                assertNotEquals(0, run(List.of("tar", "-xf", tar.toString(), "-C", gnu.toString())).exitCode,
                        "GNU tar refuses it too");
            }
        }));
    }

    private void sameTree(Path tar) throws Exception {
        Path gnu = Files.createTempDirectory(corpus, "gnu");
        // A directory the archive makes without a time of its own gets the time of the unpack,
        // which may be the next second for the second unpacker: such times read "now".
        long start = java.time.Instant.now().getEpochSecond();
        Result extracted = run(List.of("tar", "--numeric-owner", "-xpf", tar.toString(), "-C", gnu.toString()));
        Path ours = Files.createTempDirectory(corpus, "ours");
        UnpackResult result = unpack(tar, ours);
        Window now = new Window(start, java.time.Instant.now().getEpochSecond());
        Map<String, String> owners = new TreeMap<>();
        for (OwnershipEntry o : result.ownership().entries()) {
            Path owned = EntryPath.resolveRelative(ours, o.parent().isEmpty() ? o.name() : o.parent() + "/" + o.name());
            owners.put(owned.toUri().getRawPath().substring(ours.toUri().getRawPath().length()).replaceAll("/$", ""),
                    o.uid() + ":" + o.gid());
        }
        Map<String, String> mine = snapshot(ours, owners, now);
        if (tar.getFileName().toString().equals("ok-size-on-headeronly.tar")) {
            // GNU tar 1.34 reads a size on symlinks and fifos as data (tar -t then fails on the
            // rest); Go, which Docker reads layers with, gives those types no data. Go is the bar.
            assertEquals(List.of("", "d", "d/l", "f", "g", "h"), List.copyOf(mine.keySet()), mine.toString());
            assertTrue(mine.get("d/l").contains("-> ../f") && mine.get("g").contains("size=3"), mine.toString());
            return;
        }
        assertEquals(0, extracted.exitCode, "GNU tar: " + extracted.output);
        Map<String, String> theirs = snapshot(gnu, null, now);
        assertEquals(String.join("\n", theirs.values()), String.join("\n", mine.values()));
        for (String rel : mine.keySet()) {
            Path file = Path.of(java.net.URI.create(ours.toUri() + rel));
            boolean sparseArchive = tar.getFileName().toString().startsWith("ok-sparse-");
            if (sparseArchive && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) > 1 << 20) {
                long ourBlocks = blocks(file);
                long gnuBlocks = blocks(Path.of(java.net.URI.create(gnu.toUri() + rel)));
                assertTrue(ourBlocks <= gnuBlocks && ourBlocks * 512 < Files.size(file),
                        rel + " must keep its holes: " + ourBlocks + " blocks here, GNU tar " + gnuBlocks);
            }
        }
    }

    private static UnpackResult unpack(Path tar, Path root) throws Exception {
        try (InputStream in = Files.newInputStream(tar)) {
            return new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker())
                    .unpack(in, root, null, null, LayerOrigin.archive("archive " + tar.getFileName()));
        }
    }

    /**
     * path -> "path type mode owner size content|target mtime"; owners are read from the file
     * (GNU tar as root sets them) or, for ours, from the ownership plan (applied later in the
     * user namespace).
     */
    /** The seconds during which both unpacks ran. */
    private record Window(long first, long last) {
        boolean contains(long second) {
            return second >= first && second <= last;
        }
    }

    private static Map<String, String> snapshot(Path root, Map<String, String> plannedOwners, Window now) throws Exception {
        Map<String, String> out = new TreeMap<>();
        List<Path> all;
        try (var walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path p : all) {
            // Names as bytes: the file URI percent-encodes every byte that is not plain ASCII.
            String rel = p.toUri().getRawPath().substring(root.toUri().getRawPath().length()).replaceAll("/$", "");
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isOther()) {
                continue; // fifos and devices: GNU tar as root makes them, a rootless unpack skips them (noted)
            }
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            String owner = plannedOwners != null ? plannedOwners.getOrDefault(rel, "0:0")
                    : Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                    + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            StringBuilder s = new StringBuilder(rel.isEmpty() ? "." : rel).append(' ');
            if (a.isSymbolicLink()) {
                Path target = Files.readSymbolicLink(p);
                String bytes = Path.of("/").resolve(target).toUri().getRawPath(); // bytes, percent-encoded
                s.append("symlink -> ").append(target.isAbsolute() ? bytes : bytes.substring(1));
            } else if (a.isDirectory()) {
                s.append("dir mode=").append(Integer.toOctalString(mode)).append(" owner=").append(owner);
            } else {
                s.append("file mode=").append(Integer.toOctalString(mode)).append(" owner=").append(owner)
                        .append(" size=").append(a.size()).append(" sha256=").append(sha256(p))
                        .append(" links=").append(Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS));
            }
            if (!a.isSymbolicLink() && !rel.isEmpty()) {
                long mtime = a.lastModifiedTime().toMillis() / 1000;
                s.append(" mtime=").append(now.contains(mtime) ? "now" : Long.toString(mtime));
            }
            out.put(rel, s.toString());
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        // Root reads a mode-0000 file as GNU tar left it; the test runs as root (CI does).
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static long blocks(Path file) throws Exception {
        Result r = run(List.of("stat", "-c", "%b", file.toString()));
        assertEquals(0, r.exitCode, r.output);
        return Long.parseLong(r.output.trim());
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
