package dev.jrun.runtime;

/**
 * One mount the user asked for with -v, --mount or --tmpfs, parsed but not yet checked against
 * the host: the source of a bind may not exist, a named volume may not exist yet.
 */
public sealed interface MountRequest {
    /** The absolute path inside the container, normalised. */
    String target();

    /** A host path ({@code -v /src:/dst}, {@code --mount type=bind}). */
    record Bind(String source, String target, boolean readOnly, boolean chown) implements MountRequest {}

    /**
     * A named volume in jrun's store ({@code -v NAME:/dst}, {@code --mount type=volume}).
     *
     * @param copyUp whether its first use fills it with the image's files at {@code target}
     *     (podman's default; {@code nocopy} turns it off)
     */
    record Named(String name, String target, boolean readOnly, boolean chown, boolean copyUp)
            implements MountRequest {}

    /** A new tmpfs ({@code --tmpfs}, {@code --mount type=tmpfs}): mount(2) flags and tmpfs options. */
    record Tmpfs(String target, long mountFlags, String data) implements MountRequest {}
}
