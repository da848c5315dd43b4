package dev.jrun.runtime;

/**
 * A file jrun provides in the container's /etc (hostname, hosts, resolv.conf), bind-mounted from
 * a tmpfs that only the container's mount namespace sees, so nothing is written to the rootfs
 * and nothing is left on the host.
 *
 * @param createMountPoint the file is missing in the rootfs and jrun creates an empty one
 * @param throughSymlink the path is, or passes through, a symlink: it is resolved inside the
 *     container, and skipped if it leads nowhere
 */
public record EtcFile(String path, byte[] content, boolean createMountPoint, boolean throughSymlink) {
    public EtcFile {
        content = content.clone();
    }

    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
