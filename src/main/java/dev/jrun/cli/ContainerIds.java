package dev.jrun.cli;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Container IDs as podman makes them: 64 hex digits, the first 12 the default hostname. */
final class ContainerIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerIds() {}

    static String random() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
