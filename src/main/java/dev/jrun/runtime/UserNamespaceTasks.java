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

    private void requireMapped(String kind, long id, IdMap map, String what) throws JrunException {
        if (map.maps(id)) return;
        throw new JrunException(what + " has files owned by " + kind + " " + id + ", but your user namespace has only "
                + kind + "s 0-" + (map.size() - 1) + " (" + map.procText().strip().replace("\n", ", ")
                + "). As podman says: potentially insufficient UIDs or GIDs available in the user namespace; "
                + "give yourself a larger range in /etc/sub" + (kind.equals("UID") ? "uid" : "gid")
                + " (as root: usermod --add-sub" + (kind.equals("UID") ? "uids" : "gids") + " START-END $USER)");
    }
}
