package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.UserNamespacePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Work on the caller's files that only container root can do: inside a user namespace with the
 * caller's maps, where chown(2) to a subordinate ID is allowed (it is not on the host).
 */
public final class UserNamespaceTasks {
    /** One path to give to a container UID/GID, relative to a root directory. */
    public record Chown(String parent, String name, long uid, long gid, int restoreMode, boolean symlink) {}

    private static final int ROOT_SLOT = 900;
    private static final int PARENT_SLOT = 901;

    private final Launcher launcher;
    private final UserNamespacePlan userns;

    public UserNamespaceTasks(Launcher launcher, UserNamespacePlan userns) {
        this.launcher = launcher;
        this.userns = userns;
    }

    public UserNamespacePlan userNamespace() {
        return userns;
    }

    /**
     * Gives each path its container owner. Every parent is opened beneath {@code root} without
     * following any symlink (openat2(2) RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) and the final name
     * is changed with AT_SYMLINK_NOFOLLOW, so a link in a hostile layer cannot redirect a chown
     * to a host file (the class of CVE-2018-15664).
     */
    public void chown(Path root, List<Chown> entries, String what) throws JrunException {
        for (Chown c : entries) {
            requireMapped("UID", c.uid(), userns.uidMap(), what);
            requireMapped("GID", c.gid(), userns.gidMap(), what);
        }
        if (entries.isEmpty()) return;
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.OpenAt2(AT_FDCWD, root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, ROOT_SLOT));
        long beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        for (Chown c : entries) {
            String shown = root + "/" + (c.parent().isEmpty() ? c.name() : c.parent() + "/" + c.name());
            ops.add(new Op.OpenAt2(ROOT_SLOT, c.parent().isEmpty() ? "." : c.parent(),
                    O_PATH | O_DIRECTORY | O_CLOEXEC, beneath, PARENT_SLOT));
            ops.add(new Op.FchownAt(PARENT_SLOT, c.name(), c.uid(), c.gid(), AT_SYMLINK_NOFOLLOW, shown));
            // chown(2) clears setuid and setgid on regular files: put them back.
            if (c.restoreMode() >= 0 && !c.symlink()) ops.add(new Op.FchmodAt(PARENT_SLOT, c.name(), c.restoreMode(), shown));
        }
        ops.add(new Op.Exit(0));
        int status = launcher.runInUserNamespace(userns, 0, ops);
        if (status != 0) throw new JrunException("apply the file owners of " + what + ": helper exited with " + status);
    }

    /**
     * Removes a directory tree that the container may have filled with files of subordinate
     * IDs, which the caller cannot delete on the host: rm(1) runs as container root.
     */
    public void removeTree(Path dir) throws JrunException {
        List<Op> ops = List.of(new Op.Exec(List.of("/usr/bin/rm", "/bin/rm"),
                List.of("rm", "-rf", "--one-file-system", "--", dir.toString()), List.of("LC_ALL=C")));
        int status = launcher.runInUserNamespace(userns, 0, ops);
        if (status != 0) {
            throw new JrunException("remove " + dir + ": rm exited with " + status + "; remove it by hand with: "
                    + "jrun unshare rm -rf " + dir);
        }
    }

    /**
     * podman's copy-up: fills {@code volume} (the caller's own, empty directory) with the files at
     * {@code containerPath} in {@code rootfs}, owners, modes and all, and gives the volume that
     * directory's owner and mode. cp(1) runs as root of the user namespace, where the image's
     * owners are mapped, in a mount namespace of its own that sees the container's root.
     * The path is resolved as the container would (openat2(2) RESOLVE_IN_ROOT): a symlink in a
     * hostile image resolves inside its root and can never name a host file.
     */
    public void copyUp(RootFs rootfs, String containerPath, Path volume, String what) throws JrunException {
        List<Op> ops = new ArrayList<>();
        // Nothing of this must reach the host's mount table (mount_namespaces(7)).
        ops.add(new Op.Mount(null, "/", null, MS_REC | MS_PRIVATE, null, 0));
        String root;
        if (rootfs instanceof RootFs.Overlay o) {
            root = o.mountPoint().toString();
            // Read-only: the copy must not leave anything in the container's upper layer.
            ops.add(new Op.Mount("overlay", root, "overlay", MS_RDONLY, ContainerScript.overlayOptions(o), 0));
        } else {
            root = ((RootFs.Directory) rootfs).path().toString();
        }
        ops.add(new Op.OpenAt2(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, ROOT_SLOT));
        String relative = containerPath.replaceFirst("^/+", "");
        ops.add(new Op.OpenAt2(ROOT_SLOT, relative, O_PATH | O_DIRECTORY | O_CLOEXEC,
                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, PARENT_SLOT));
        // The volume is the working directory before anything is mounted: a root that holds
        // the store (--rootfs of a home directory) cannot cover it.
        ops.add(new Op.Chdir(volume.toString()));
        // The resolved directory is bound over the root's path in this namespace only, so cp
        // gets a plain path that no later symlink swap can redirect.
        ops.add(new Op.Mount("/proc/self/fd/" + PARENT_SLOT, root, null, MS_BIND, null, 0));
        ops.add(new Op.Close(PARENT_SLOT));
        ops.add(new Op.Close(ROOT_SLOT));
        ops.add(new Op.Exec(List.of("/usr/bin/cp", "/bin/cp"), List.of("cp", "-a", "--", root + "/.", "."),
                List.of("LC_ALL=C")));
        int status = launcher.runInUserNamespace(userns, CLONE_NEWNS, ops);
        if (status != 0) {
            throw new JrunException("copy the image's " + containerPath + " into " + what + " (" + volume
                    + "): cp exited with " + status + "; see its message above");
        }
    }

    /**
     * podman's :U: gives a tree to a container user. chown(1) -R changes symlinks themselves
     * (-h) and never follows them into other trees (-P), so a link in the tree cannot hand a
     * file elsewhere to the container.
     */
    public void chownTree(Path tree, long uid, long gid, boolean recursive, String what) throws JrunException {
        requireMapped("UID", uid, userns.uidMap(), what);
        requireMapped("GID", gid, userns.gidMap(), what);
        List<String> argv = new ArrayList<>(List.of("chown", "-h"));
        if (recursive) argv.addAll(List.of("-R", "-P"));
        argv.addAll(List.of(uid + ":" + gid, "--", tree.toString()));
        int status = launcher.runInUserNamespace(userns, 0,
                List.of(new Op.Exec(List.of("/usr/bin/chown", "/bin/chown"), argv, List.of("LC_ALL=C"))));
        if (status != 0) {
            throw new JrunException("give " + what + " (" + tree + ") to container user " + uid + ":" + gid
                    + ": chown exited with " + status + "; see its message above. Files of IDs outside your "
                    + "user namespace cannot be changed: remove them with jrun unshare");
        }
    }

    private void requireMapped(String kind, long id, IdMap map, String what) throws JrunException {
        if (map.maps(id)) return;
        throw new JrunException(what + " has files owned by " + kind + " " + id + ", but your user namespace has only "
                + kind + "s 0-" + (map.size() - 1) + " (" + map.procText().strip().replace("\n", ", ")
                + "). As podman says: potentially insufficient UIDs or GIDs available in the user namespace; "
                + "give yourself a larger range in /etc/sub" + (kind.equals("UID") ? "uid" : "gid")
                + " (as root: usermod --add-sub" + (kind.equals("UID") ? "uids" : "gids") + " START-END $USER)");
    }
}
