package dev.jrun.cli;

import dev.jrun.ids.RandomIds;

/** Container IDs as podman makes them: 64 hex digits, the first 12 the default hostname. */
final class ContainerIds {
    private ContainerIds() {}

    static String random() {
        return RandomIds.hex(32);
    }
}
