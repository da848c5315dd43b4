package dev.jrun.runtime;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A host directory or file bind-mounted into the container: a host path ({@code -v HOST:CONTAINER})
 * or a named volume's directory in the store ({@code -v NAME:CONTAINER}).
 *
 * @param chown podman's {@code :U}: before the container starts, the tree is given to the
 *     container's user (through the ID map)
 * @param copyUp a named volume's first use: it is filled with the image's files at
 *     {@code containerPath} and takes that directory's owner and mode (podman's copy-up)
 * @param volumeName the named volume's name, empty for a host path
 */
public record Volume(Path hostPath, String containerPath, boolean readOnly, boolean directory, boolean chown,
        boolean copyUp, Optional<String> volumeName) {

    /** A plain host-path bind mount. */
    public Volume(Path hostPath, String containerPath, boolean readOnly, boolean directory) {
        this(hostPath, containerPath, readOnly, directory, false, false, Optional.empty());
    }
}
