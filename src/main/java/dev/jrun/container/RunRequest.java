package dev.jrun.container;

import dev.jrun.runtime.RunSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A `jrun run` as the user asked for it.
 *
 * @param spec       the container's options; its root, image defaults, command and hostname are
 *                   filled in once the image is known
 * @param image      the image reference, or empty with {@code rootfs}
 * @param rootfs     a directory to use as the root instead of an image
 * @param args       what follows the image (or, with --rootfs, the whole command)
 * @param name       --name
 * @param detach     -d: print the ID and leave the container running under its monitor
 * @param autoRemove --rm
 * @param pull       missing, always or never
 * @param platform   --platform, or empty for this host's
 * @param storageDriver --storage-driver, or empty for overlay where it works
 * @param runArguments what followed `run` on the command line, recorded for `jrun start`
 * @param watchParent the container ends (and, not kept, is removed) when this JVM ends, even
 *                    by kill -9: a library's container outlives no test run
 */
public record RunRequest(RunSpec spec, Optional<String> image, Optional<Path> rootfs, List<String> args,
                         Optional<String> name, boolean detach, boolean autoRemove, String pull,
                         Optional<String> platform, Optional<String> storageDriver, List<String> runArguments,
                         boolean watchParent) {
    public RunRequest {
        args = List.copyOf(args);
        runArguments = List.copyOf(runArguments);
    }

    /** A command line's request: the container is independent of the JVM that started it. */
    public RunRequest(RunSpec spec, Optional<String> image, Optional<Path> rootfs, List<String> args,
                      Optional<String> name, boolean detach, boolean autoRemove, String pull,
                      Optional<String> platform, Optional<String> storageDriver, List<String> runArguments) {
        this(spec, image, rootfs, args, name, detach, autoRemove, pull, platform, storageDriver, runArguments, false);
    }

    public RunRequest withWatchParent(boolean watch) {
        return new RunRequest(spec, image, rootfs, args, name, detach, autoRemove, pull, platform, storageDriver,
                runArguments, watch);
    }
}
