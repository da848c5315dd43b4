package dev.jrun.ids;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Random hex names (container IDs, hostnames, temporary files) from /dev/urandom, the kernel's
 * CSPRNG (random(4)): SecureRandom's first use initialises the security providers, about 20 ms
 * of a launch even with the class-data archive, and these names need uniqueness and
 * unpredictability, not a key generator. The one place jrun makes random names.
 */
public final class RandomIds {
    private RandomIds() {}

    /** {@code bytes} random bytes as lower-case hex (twice as many characters). */
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
