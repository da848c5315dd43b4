package dev.jrun.image.layer;

/**
 * One path whose owner in the image is not container root (0:0), so it must be lchown'ed inside
 * the user namespace after unpacking (the unpacker runs as the caller and cannot chown).
 *
 * @param parent      the parent directory relative to the layer root, "" for the root itself;
 *                    never contains "..", never starts with "/", components separated by "/"
 * @param name        the last component ("." for the layer root directory itself)
 * @param uid         owner inside the container
 * @param gid         group inside the container
 * @param restoreMode permission bits (incl. setuid/setgid/sticky) to set again after the chown,
 *                    because chown(2) clears setuid/setgid on regular files; -1 when nothing to restore
 * @param symlink     the entry is a symlink: use lchown (AT_SYMLINK_NOFOLLOW) and never chmod
 */
public record OwnershipEntry(String parent, String name, int uid, int gid, int restoreMode, boolean symlink) {

    /** The path relative to the layer root, e.g. {@code usr/bin/passwd}; "." for the root. */
    public String relativePath() {
        return parent.isEmpty() ? name : parent + "/" + name;
    }
}
