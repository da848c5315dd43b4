package dev.jrun.cli;

/** One line per warning on stderr, as podman prints them. */
final class Warnings {
    private Warnings() {}

    static void print(String message) {
        System.err.println("WARN[0000] " + message);
    }
}
