package dev.jrun.seccomp;

import dev.jrun.sys.SeccompProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Compiled filters kept in {@code $XDG_CACHE_HOME/jrun/seccomp} (default {@code ~/.cache}), one
 * file per hash of everything the program depends on: the profile's bytes, the architecture,
 * the bounding set and the kernel release (minKernel). Parsing the JSON and compiling it with
 * libseccomp cost tens to hundreds of milliseconds on a cold JVM; reading 9 KB costs almost none.
 *
 * <p>A file is used only if this user owns it and its directory and nobody else may write
 * either: root run with another user's HOME must not take a filter that user wrote. A broken or
 * foreign entry is a miss, never an error. The user's own entries can only weaken the user's own
 * containers, which --security-opt seccomp=unconfined does anyway.
 */
public final class FilterCache {
    private static final String FORMAT = "jrun-seccomp-cache-1";
    private static final Set<PosixFilePermission> GROUP_OR_OTHER_WRITE =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private final Optional<Path> dir;
    private final long uid;

    public FilterCache(Map<String, String> env, long uid) {
        String xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        String home = env.getOrDefault("HOME", "");
        Path base = !xdg.isEmpty() ? Path.of(xdg) : !home.isEmpty() ? Path.of(home, ".cache") : null;
        this.dir = Optional.ofNullable(base).map(b -> b.resolve("jrun/seccomp"));
        this.uid = uid;
    }

    /** No cache at all (tests, or a caller without a home). */
    public static FilterCache none() {
        return new FilterCache(Map.of(), -1);
    }

    /**
     * FNV-1a (64 bits) and CRC-32C over the inputs: a 96-bit name, enough against accidental
     * collisions. Not SHA-256: its provider costs tens of milliseconds on a cold JVM, and a
     * cryptographic name would not stop anyone who can write this directory from planting a
     * program under the right one (whoever can write it can edit ~/.bashrc as well).
     */
    static String key(byte[] profile, ProfileResolver.Target target) {
        byte[] header = (FORMAT + "\n" + target.goArch() + "\n" + new TreeSet<>(target.boundingCaps()) + "\n"
                + target.kernel() + "\n").getBytes(StandardCharsets.UTF_8);
        long fnv = 0xcbf29ce484222325L;
        CRC32C crc = new CRC32C();
        for (byte[] part : new byte[][] {header, profile}) {
            for (byte b : part) fnv = (fnv ^ (b & 0xff)) * 0x100000001b3L;
            crc.update(part);
        }
        String a = Long.toHexString(fnv);
        String b = Long.toHexString(crc.getValue());
        return "0".repeat(16 - a.length()) + a + "0".repeat(8 - b.length()) + b;
    }

    Optional<SeccompProgram> get(String key) {
        if (dir.isEmpty()) return Optional.empty();
        Path file = dir.get().resolve(key + ".bpf");
        try {
            if (!trusted(dir.get()) || !trusted(file)) return Optional.empty();
            return Optional.of(new SeccompProgram(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void put(String key, SeccompProgram program) {
        if (dir.isEmpty()) return;
        Path tmp = null;
        try {
            Files.createDirectories(dir.get(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (!trusted(dir.get())) return;
            tmp = Files.createTempFile(dir.get(), ".tmp-", ".bpf");
            Files.write(tmp, program.bpf());
            Files.move(tmp, dir.get().resolve(key + ".bpf"), StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (AtomicMoveNotSupportedException e) {
            // a cache on a filesystem without rename: do without
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written costs time, nothing else
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    private boolean trusted(Path p) throws IOException {
        Object owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!(owner instanceof Integer o) || o.longValue() != uid) return false;
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        return perms.stream().noneMatch(GROUP_OR_OTHER_WRITE::contains);
    }
}
