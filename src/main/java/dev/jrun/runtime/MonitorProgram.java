package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the jrun-monitor program is: beside libjrun when jrun runs from its build (the ./jrun
 * launcher names that directory), else unpacked once from the jar into the user's cache, under
 * a name that is its own SHA-256 so a different build never runs an older copy.
 */
public final class MonitorProgram {
    private static volatile Path cached;

    private MonitorProgram() {}

    public static Path path() throws JrunException {
        Path p = cached;
        if (p == null) {
            p = locate();
            cached = p;
        }
        return p;
    }

    private static Path locate() throws JrunException {
        String explicit = System.getProperty("jrun.monitor");
        if (explicit != null) return Path.of(explicit);
        String nativeDir = System.getProperty("jna.boot.library.path");
        if (nativeDir != null) {
            Path beside = Path.of(nativeDir, "jrun-monitor");
            if (Files.isExecutable(beside)) return beside;
        }
        return unpack();
    }

    private static Path unpack() throws JrunException {
        String platform = "aarch64".equals(System.getProperty("os.arch")) ? "linux-aarch64" : "linux-x86-64";
        String resource = "/" + platform + "/jrun-monitor";
        byte[] program;
        try (InputStream in = MonitorProgram.class.getResourceAsStream(resource)) {
            if (in == null) throw new JrunException("jrun-monitor for " + platform + " is missing from jrun's jar; "
                    + "rebuild jrun (mvn package) on this platform");
            program = in.readAllBytes();
        } catch (IOException e) {
            throw new JrunException("read jrun-monitor from jrun's jar: " + e.getMessage(), e);
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(program)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path dir = (cacheHome != null && cacheHome.startsWith("/") ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache")).resolve("jrun");
        Path target = dir.resolve("jrun-monitor-" + hash);
        if (Files.isExecutable(target)) return target;
        try {
            Files.createDirectories(dir);
            // Private name, then rename: a concurrent first run never executes a half-written file.
            Path tmp = Files.createTempFile(dir, "jrun-monitor-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(tmp, program);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JrunException("unpack jrun-monitor into " + dir + ": " + e.getMessage()
                    + "; make it writable or set XDG_CACHE_HOME to a writable directory", e);
        }
        return target;
    }
}
