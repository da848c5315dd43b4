package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A directory holding the layer root next to a sentinel-protected "outside" area that hostile
 * archives aim at; {@link #assertOutsideUntouched()} proves nothing there changed.
 */
final class Sandbox {
    final Path base;
    final Path outside;
    final Path layer;
    private final Map<String, String> before;

    Sandbox(Path tempDir) throws IOException {
        base = tempDir.toRealPath();
        outside = base.resolve("outside");
        Files.createDirectories(outside.resolve("subdir"));
        Files.writeString(outside.resolve("sentinel"), "original");
        Files.writeString(outside.resolve("subdir/keep"), "keep");
        layer = base.resolve("layer");
        Files.createDirectory(layer, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        before = snapshot();
    }

    void assertOutsideUntouched() throws IOException {
        assertEquals(before, snapshot(), "something outside the layer root changed");
    }

    /** Everything under base except the layer root: type, mode, content, mtime, xattr names. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.startsWith(layer)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                StringBuilder sb = new StringBuilder();
                sb.append(a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isRegularFile() ? "f" : "o");
                sb.append(' ').append(Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)));
                if (a.isRegularFile()) {
                    sb.append(' ').append(Files.readString(p)).append(' ').append(a.lastModifiedTime());
                }
                if (!a.isSymbolicLink()) {
                    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
                    List<String> names = v.list();
                    for (String n : names) {
                        ByteBuffer buf = ByteBuffer.allocate(v.size(n));
                        v.read(n, buf);
                        sb.append(" xattr ").append(n).append('=').append(new String(buf.array(), StandardCharsets.UTF_8));
                    }
                }
                out.put(base.relativize(p).toString(), sb.toString());
            }
        }
        return out;
    }
}
