package dev.jrun.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A `jrun run` request as the user gave it, before anything is resolved.
 *
 * @param hostname the user's --hostname, or a default chosen by the caller; with
 *     {@link Network#HOST} an empty one keeps the host's own hostname, as podman does
 * @param mounts --mount values (type=bind|volume|tmpfs,...)
 * @param tmpfs --tmpfs values (PATH[:OPTIONS])
 * @param readOnlyTmpfs podman's --read-only-tmpfs: with --read-only, tmpfs on /tmp, /var/tmp, /run
 * @param passwd podman's --passwd: add a line to /etc/passwd for a UID the image does not know
 * @param passwdEntry podman's --passwd-entry template ($USERNAME, $UID, $GID, $NAME, $HOME)
 */
public record RunSpec(
        RootFs rootfs,
        ContainerDefaults image,
        List<String> command,
        Optional<List<String>> entrypoint,
        List<String> env,
        List<Path> envFiles,
        Optional<String> workdir,
        Optional<String> user,
        Optional<String> hostname,
        boolean readOnly,
        List<String> volumes,
        Network network,
        boolean tty,
        boolean interactive,
        Optional<String> usernsRemap,
        int stopTimeoutSeconds,
        SecurityOptions security,
        List<String> mounts,
        List<String> tmpfs,
        boolean readOnlyTmpfs,
        boolean passwd,
        Optional<String> passwdEntry) {

    public RunSpec {
        command = List.copyOf(command);
        env = List.copyOf(env);
        envFiles = List.copyOf(envFiles);
        volumes = List.copyOf(volumes);
        mounts = List.copyOf(mounts);
        tmpfs = List.copyOf(tmpfs);
    }

    /** The same request once its root is known: an image's (with its defaults) or a directory. */
    public RunSpec withRoot(RootFs root, ContainerDefaults defaults, List<String> command, Optional<String> host) {
        return new RunSpec(root, defaults, command, entrypoint, env, envFiles, workdir, user, host, readOnly, volumes,
                network, tty, interactive, usernsRemap, stopTimeoutSeconds, security, mounts, tmpfs, readOnlyTmpfs,
                passwd, passwdEntry);
    }

    /** The same request on another network (--network container: and ns: once opened). */
    public RunSpec withNetwork(Network other) {
        return new RunSpec(rootfs, image, command, entrypoint, env, envFiles, workdir, user, hostname, readOnly, volumes,
                other, tty, interactive, usernsRemap, stopTimeoutSeconds, security, mounts, tmpfs, readOnlyTmpfs,
                passwd, passwdEntry);
    }

    /** A request with podman's defaults for --mount, --tmpfs, --read-only-tmpfs and the --passwd options. */
    public RunSpec(RootFs rootfs, ContainerDefaults image, List<String> command, Optional<List<String>> entrypoint,
                   List<String> env, List<Path> envFiles, Optional<String> workdir, Optional<String> user,
                   Optional<String> hostname, boolean readOnly, List<String> volumes, Network network, boolean tty,
                   boolean interactive, Optional<String> usernsRemap, int stopTimeoutSeconds,
                   SecurityOptions security) {
        this(rootfs, image, command, entrypoint, env, envFiles, workdir, user, hostname, readOnly, volumes, network,
                tty, interactive, usernsRemap, stopTimeoutSeconds, security, List.of(), List.of(), true, true,
                Optional.empty());
    }

    /** A request with podman's default security settings. */
    public RunSpec(RootFs rootfs, ContainerDefaults image, List<String> command, Optional<List<String>> entrypoint,
                   List<String> env, List<Path> envFiles, Optional<String> workdir, Optional<String> user,
                   Optional<String> hostname, boolean readOnly, List<String> volumes, Network network, boolean tty,
                   boolean interactive, Optional<String> usernsRemap, int stopTimeoutSeconds) {
        this(rootfs, image, command, entrypoint, env, envFiles, workdir, user, hostname, readOnly, volumes, network,
                tty, interactive, usernsRemap, stopTimeoutSeconds, SecurityOptions.DEFAULT);
    }
}
