package dev.jrun.userns;

/** How the launcher writes the new namespace's ID maps. */
public enum MapWriter {
    /** The setuid helpers newuidmap(1)/newgidmap(1), which check /etc/subuid and /etc/subgid. */
    SETUID_HELPERS,
    /** jrun writes /proc/PID/{uid,gid}_map itself: it is root, or maps only its own IDs. */
    DIRECT
}
