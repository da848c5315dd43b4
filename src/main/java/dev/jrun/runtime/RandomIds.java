package dev.jrun.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Random hex IDs (container IDs, hostnames) from /dev/urandom: SecureRandom's first use costs
 * tens of milliseconds of start-up, and these IDs need uniqueness, not a key generator.
 */
public final class RandomIds {
    private RandomIds() {}

    public static String hex(int bytes) {
        byte[] id = new byte[bytes];
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            if (in.readNBytes(id, 0, bytes) != bytes) throw new IOException("short read");
        } catch (IOException e) {
            throw new IllegalStateException("read /dev/urandom: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(id);
    }
}
