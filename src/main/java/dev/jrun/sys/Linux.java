package dev.jrun.sys;

/** Linux ABI constants used by the plans. Values are from the kernel's uapi headers. */
public final class Linux {
    private Linux() {}

    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    // clone(2) namespace flags
    public static final long CLONE_NEWNS = 0x00020000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;

    // mount(2)
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final int MNT_DETACH = 2;

    // open_tree(2), move_mount(2), mount_setattr(2)
    public static final int OPEN_TREE_CLONE = 1;
    public static final int OPEN_TREE_CLOEXEC = 0x80000;
    public static final int AT_RECURSIVE = 0x8000;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_FDCWD = -100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    public static final int FSOPEN_CLOEXEC = 1;
    public static final int FSCONFIG_SET_STRING = 1;
    public static final int FSCONFIG_CMD_CREATE = 6;
    public static final int FSMOUNT_CLOEXEC = 1;
    public static final long MOUNT_ATTR_RDONLY = 1;
    public static final long MOUNT_ATTR_NOSUID = 2;
    public static final long MOUNT_ATTR_NODEV = 4;
    public static final long MOUNT_ATTR_NOEXEC = 8;

    // open(2), openat2(2)
    public static final long O_RDONLY = 0;
    public static final long O_RDWR = 2;
    public static final long O_NOCTTY = 0x100;
    public static final long O_NONBLOCK = 0x800;
    public static final long O_CLOEXEC = 0x80000;
    public static final long O_PATH = 0x200000;
    public static final long O_DIRECTORY = AARCH64 ? 0x4000 : 0x10000;
    public static final long O_NOFOLLOW = AARCH64 ? 0x8000 : 0x20000;
    public static final long RESOLVE_NO_XDEV = 1;
    public static final long RESOLVE_NO_MAGICLINKS = 2;
    public static final long RESOLVE_NO_SYMLINKS = 4;
    public static final long RESOLVE_BENEATH = 8;
    public static final long RESOLVE_IN_ROOT = 0x10;

    // sockets and netdevice(7)
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;

    // tty ioctls (asm-generic, also x86)
    public static final long TIOCSCTTY = 0x540E;
    public static final long TIOCGWINSZ = 0x5413;
    public static final long TIOCSWINSZ = 0x5414;
    public static final long TIOCSPTLCK = 0x40045431L;
    public static final long TIOCGPTPEER = 0x5441;
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;

    // signals
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;
    public static final int SIGWINCH = 28;

    // errno
    public static final int EPERM = 1;
    public static final int EAGAIN = 11;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENOEXEC = 8;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EXDEV = 18;
    public static final int EUSERS = 87;
    public static final int EDQUOT = 122;
}
