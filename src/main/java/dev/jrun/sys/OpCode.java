package dev.jrun.sys;

/** Operation codes of the native child script; the numbers are those of {@code native/jrun.h}. */
public enum OpCode {
    MOUNT(1), UMOUNT2(2), OPEN_TREE(3), MOVE_MOUNT(4), MOUNT_SETATTR(5), MKDIR(6),
    CREATE_FILE(7), WRITE_FILE(8), SYMLINK(9), CHDIR(10), PIVOT_ROOT(11), SETHOSTNAME(12),
    SETGROUPS(13), SETRESGID(14), SETRESUID(15), CAPBSET_DROP(16), SETSID(17), DUP2(18),
    IOCTL(19), PDEATHSIG(20), OPENAT2(21), FCHOWNAT(22), FCHMODAT(23), CLOSE(24), EXEC(25),
    EXIT(26), SET_NO_NEW_PRIVS(27), UNLINKAT(28), SOCKET(29), FSOPEN(30), FSCONFIG(31), FSMOUNT(32), SEND_FD(33), CLOSE_RANGE(34),
    SETNS(35), FORK(36), SECCOMP(37), JOIN_SESSION_KEYRING(38);

    public final int code;

    OpCode(int code) {
        this.code = code;
    }
}
