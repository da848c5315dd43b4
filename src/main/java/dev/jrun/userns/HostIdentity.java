package dev.jrun.userns;

/** Who is running jrun, as the host sees it. */
public record HostIdentity(long uid, long gid, String userName) {
    public boolean isRoot() {
        return uid == 0;
    }
}
