package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.seccomp.SeccompFilter;
import dev.jrun.sys.Op;
import dev.jrun.userns.UserNamespacePlan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a {@link LaunchPlan} into the child's linear script. Read it top to bottom: it is
 * what happens in the new process, in order, between "ID maps written" and execve.
 *
 * <p>Everything that would resolve a path inside the rootfs happens after pivot_root, so a
 * hostile rootfs's symlinks resolve inside the container and can never name a host path (the
 * class of bug behind runc's CVE-2019-19921 and CVE-2021-30465, where mount targets were
 * resolved on the host). Host paths the container needs (device nodes, volumes, /sys) are
 * cloned as detached mount trees before pivot_root (open_tree(2)) and attached afterwards.
 */
public final class ContainerScript {

    /**
     * Descriptors the launcher prepared, -1 when unused: what becomes stdin, stdout and stderr
     * (-1: inherited), the socket the terminal's master side goes back on, the socket the
     * container's user namespace goes back on (for its monitor's cleanup), the error pipe, and
     * the first free descriptor number for the script.
     * {@code windowSize} is {rows, cols} of jrun's own terminal, or null.
     */
    public record Descriptors(int stdin, int stdout, int stderr, int ttySocket, int usernsSocket, int errFd,
                              int firstFreeSlot, int[] windowSize) {
        /** The launch path of a JVM that stays the parent: stdout and stderr inherited. */
        public Descriptors(int stdin, int ttySocket, int errFd, int firstFreeSlot, int[] windowSize) {
            this(stdin, -1, -1, ttySocket, -1, errFd, firstFreeSlot, windowSize);
        }
    }

    /** Host devices a container gets, bound from the host as podman does rootless (mknod is not allowed). */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private static final String ETC_STAGING = "/dev/.jrun-etc";
    private static final long NOSUID_NODEV_NOEXEC = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    private static final int TREE_CLONE = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;

    private final LaunchPlan plan;
    private final Descriptors fds;
    private final List<Op> ops = new ArrayList<>();
    private int nextSlot;
    private int terminalSlot = -1;

    private ContainerScript(LaunchPlan plan, Descriptors fds) {
        this.plan = plan;
        this.fds = fds;
        this.nextSlot = fds.firstFreeSlot();
    }

    public static List<Op> compile(LaunchPlan plan, Descriptors fds) {
        return new ContainerScript(plan, fds).build();
    }

    /**
     * The child starts with jrun's own credentials. When they are not what the map makes
     * container root (root using --userns-remap: host 0 is not in "0 231072 65536") the child
     * would be the overflow ID and could create no file; switching to 0 makes it the mapped root,
     * as runc does. Supplementary groups inherited from jrun are dropped where setgroups is allowed.
     */
    public static List<Op> becomeNamespaceRoot(UserNamespacePlan userns) {
        List<Op> ops = new ArrayList<>();
        if (userns.setgroupsAllowed()) ops.add(new Op.SetGroups(List.of()));
        ops.add(new Op.SetResGid(0));
        ops.add(new Op.SetResUid(0));
        return ops;
    }

    /** Namespaces the container gets: clone(2) flags. */
    public static long namespaceFlags(LaunchPlan plan) {
        long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;
        if (!plan.hostUts()) flags |= CLONE_NEWUTS;
        if (plan.network().newNamespace()) flags |= CLONE_NEWNET;
        return flags;
    }

    private List<Op> build() {
        // 1. Become the namespace's root, then arrange to die with jrun (in that order: a
        //    credential change clears the parent-death signal, prctl(2)).
        ops.addAll(becomeNamespaceRoot(plan.userNamespace()));
        ops.add(new Op.ParentDeathSignal(SIGKILL));
        // A session keyring of its own, as runc gives each container: the one jrun inherited (and
        // through pam_keyinit the caller's user keyring linked in it) holds the caller's keys,
        // which the container could otherwise read, replace or plant keys in (keyrings(7)).
        ops.add(new Op.JoinSessionKeyring());

        // 2. Close every descriptor inherited from the JVM but the few the script needs: a leaked
        //    fd is a way out of the container (runc's CVE-2024-21626 was a leaked directory fd
        //    reached through /proc/self/fd as the working directory).
        ops.addAll(closeAllBut(fds.errFd(), fds.stdin(), fds.stdout(), fds.stderr(), fds.ttySocket(),
                fds.usernsSocket()));

        // 2a. The monitor removes a --rm container's files after it ended. They belong to our
        //     subordinate IDs, which only root of this user namespace may remove: the monitor
        //     keeps the namespace (a descriptor of it) to join for that (setns(2)).
        if (fds.usernsSocket() >= 0) {
            int userns = slot();
            ops.add(new Op.OpenAt2(AT_FDCWD, "/proc/self/ns/user", O_RDONLY | O_CLOEXEC, 0, userns));
            ops.add(new Op.SendFd(fds.usernsSocket(), userns, "the user namespace"));
            ops.add(new Op.Close(userns));
            ops.add(new Op.Close(fds.usernsSocket()));
        }

        // 3. Our mounts must never propagate to the host: the copied namespace keeps the host's
        //    shared peer groups (mount_namespaces(7)), so make everything private first.
        ops.add(new Op.Mount(null, "/", null, MS_REC | MS_PRIVATE, null, 0));

        // 4. The root: a mount point of its own, which pivot_root(2) requires.
        String root = mountRoot();

        // 5. Host trees we attach after pivot_root, cloned while the host is still visible.
        List<Integer> deviceSlots = new ArrayList<>();
        for (String dev : DEVICES) {
            int slot = slot();
            ops.add(new Op.OpenTree("/dev/" + dev, TREE_CLONE, slot));
            deviceSlots.add(slot);
        }
        List<Integer> volumeSlots = new ArrayList<>();
        for (Volume v : plan.volumes()) {
            int slot = slot();
            ops.add(new Op.OpenTree(v.hostPath().toString(), TREE_CLONE | AT_RECURSIVE, slot));
            if (v.readOnly()) {
                ops.add(new Op.MountSetAttr(slot, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0,
                        "make volume " + v.hostPath() + " read-only", 0));
            }
            volumeSlots.add(slot);
        }
        // proc and sysfs only mount where a fully visible instance exists in our mount
        // namespace (mount_too_revealing, fs/namespace.c); after pivot_root none is left,
        // so they are made now, detached, and attached below.
        int procSlot = detachedMount("proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        int sysSlot;
        if (plan.network().ownSysfs()) {
            sysSlot = detachedMount("sysfs",
                    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        } else {
            // Without our own network namespace the kernel refuses a new sysfs; crun binds the
            // host's read-only instead. Only adding restrictions, which a user namespace may.
            sysSlot = slot();
            ops.add(new Op.OpenTree("/sys", TREE_CLONE | AT_RECURSIVE, sysSlot));
            ops.add(new Op.MountSetAttr(sysSlot, "", AT_EMPTY_PATH | AT_RECURSIVE,
                    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0,
                    "make /sys read-only", 0));
        }

        // 6. Enter the root. pivot_root(".", ".") stacks the old root on top of the new one, so
        //    no scratch directory is needed inside a rootfs we may not be able to write (as runc).
        ops.add(new Op.Chdir(root));
        ops.add(new Op.PivotRoot(".", "."));
        ops.add(new Op.Umount(".", MNT_DETACH));
        ops.add(new Op.Chdir("/"));

        // 7. /proc for our PID namespace.
        ops.add(new Op.Mkdir("/proc", 0555, Op.IGNORE_EEXIST));
        attach(procSlot, "/proc", "a new proc");

        // 8. /dev: a tmpfs with the host's harmless devices bound in.
        ops.add(new Op.Mkdir("/dev", 0755, Op.IGNORE_EEXIST));
        ops.add(new Op.Mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k", 0));
        for (int i = 0; i < DEVICES.size(); i++) {
            String path = "/dev/" + DEVICES.get(i);
            ops.add(new Op.CreateFile(path, 0666));
            attach(deviceSlots.get(i), path, "the host's " + path);
        }
        ops.add(new Op.Symlink("/proc/self/fd", "/dev/fd", 0));
        ops.add(new Op.Symlink("/proc/self/fd/0", "/dev/stdin", 0));
        ops.add(new Op.Symlink("/proc/self/fd/1", "/dev/stdout", 0));
        ops.add(new Op.Symlink("/proc/self/fd/2", "/dev/stderr", 0));
        ops.add(new Op.Mkdir("/dev/pts", 0755, 0));
        // A private devpts instance: the container cannot see or open the host's terminals.
        // gid=5 (tty) only if the container has that group, else the kernel refuses the mount.
        String ptsOptions = "newinstance,ptmxmode=0666,mode=0620"
                + (plan.userNamespace().gidMap().maps(5) ? ",gid=5" : "");
        ops.add(new Op.Mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, ptsOptions, 0));
        ops.add(new Op.Symlink("pts/ptmx", "/dev/ptmx", 0));
        if (plan.stdio().tty()) newTerminal();
        ops.add(new Op.Mkdir("/dev/shm", 01777, 0));
        ops.add(new Op.Mount("shm", "/dev/shm", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k", 0));
        ops.add(new Op.Mkdir("/dev/mqueue", 0755, 0));
        ops.add(new Op.Mount("mqueue", "/dev/mqueue", "mqueue", NOSUID_NODEV_NOEXEC, null, 0));

        // 9. /sys, read-only either way.
        ops.add(new Op.Mkdir("/sys", 0555, Op.IGNORE_EEXIST));
        attach(sysSlot, "/sys", plan.network().ownSysfs() ? "a new sysfs" : "the host's /sys");

        // 10. A new network namespace starts with loopback down.
        if (plan.network().newNamespace()) loopbackUp();

        // 11. --read-only keeps the usual scratch directories writable (podman's
        //     --read-only-tmpfs); mounted before volumes and /etc files so it hides neither.
        //     Through a symlink the target may not exist: then the container goes without.
        for (TmpfsMount t : plan.scratchTmpfs()) {
            if (t.createMountPoint()) mkdirs(t.path());
            ops.add(new Op.Mount("tmpfs", t.path(), "tmpfs", t.mountFlags(), t.data().isEmpty() ? null : t.data(),
                    t.createMountPoint() ? 0 : Op.IGNORE_ENOENT));
        }

        // 12. Volumes and the user's tmpfs, after /dev so they may go below it, shallowest path
        //     first (as podman sorts them) so that /data/sub is not hidden by /data.
        List<Object> userMounts = new ArrayList<>(plan.volumes());
        userMounts.addAll(plan.tmpfsMounts());
        userMounts.sort(java.util.Comparator.comparingLong(m -> depth(m instanceof Volume v ? v.containerPath()
                : ((TmpfsMount) m).path())));
        for (Object m : userMounts) {
            if (m instanceof TmpfsMount t) {
                mkdirs(t.path());
                ops.add(new Op.Mount("tmpfs", t.path(), "tmpfs", t.mountFlags(), t.data().isEmpty() ? null : t.data(), 0));
                continue;
            }
            Volume v = (Volume) m;
            if (v.directory()) {
                mkdirs(v.containerPath());
            } else {
                mkdirs(parent(v.containerPath()));
                ops.add(new Op.CreateFile(v.containerPath(), 0644));
            }
            attach(volumeSlots.get(plan.volumes().indexOf(v)), v.containerPath(), "volume " + v.hostPath());
        }

        // 13. /etc/hostname, /etc/hosts, /etc/resolv.conf (and --passwd's lines) from a tmpfs that
        //     leaves nothing behind; after the user's mounts, so a volume on /etc gets them too.
        etcFiles();
        if (plan.mtabLink()) ops.add(new Op.Symlink("/proc/mounts", "/etc/mtab", Op.IGNORE_EEXIST));

        // 14. Kernel interfaces a container has no business with, as podman masks them. The
        //     user namespace already denies writes; this also hides what they reveal.
        for (String path : plan.maskedFiles()) {
            ops.add(new Op.Mount("/dev/null", path, null, MS_BIND, null, Op.IGNORE_ENOENT));
        }
        for (String path : plan.maskedDirectories()) {
            ops.add(new Op.Mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k", Op.IGNORE_ENOENT));
        }
        // --security-opt mask=: whether each is a file or a directory shows only inside, so both
        // ways are tried; the one that does not fit fails with ENOTDIR and is skipped.
        for (String path : plan.security().maskedPaths()) {
            ops.add(new Op.Mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k", Op.IGNORE_ENOENT | Op.IGNORE_ENOTDIR));
            ops.add(new Op.Mount("/dev/null", path, null, MS_BIND, null, Op.IGNORE_ENOENT | Op.IGNORE_ENOTDIR));
        }
        for (String path : plan.readOnlyPaths()) {
            ops.add(new Op.Mount(path, path, null, MS_BIND | MS_REC, null, Op.IGNORE_ENOENT));
            ops.add(new Op.MountSetAttr(AT_FDCWD, path, AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0,
                    "make " + path + " read-only", Op.IGNORE_ENOENT));
        }

        // 15. The working directory exists (podman creates it), then --read-only takes effect.
        //     mount_setattr changes only RDONLY, so flags the kernel locked for us (nosuid, nodev
        //     on the source) stay as they are.
        if (!plan.workdir().equals("/")) mkdirs(plan.workdir());
        if (plan.readOnlyRoot()) {
            ops.add(new Op.MountSetAttr(AT_FDCWD, "/", 0, MOUNT_ATTR_RDONLY, 0, "make / read-only", 0));
        }

        // 16. Identity of the machine and the process.
        if (!plan.hostUts()) ops.add(new Op.SetHostname(plan.hostname()));
        ops.add(new Op.Chdir(plan.workdir()));
        stdio();
        // Capabilities beyond podman's default set leave the bounding set, so not even
        // container root (or a setuid binary in the image) can regain them (capabilities(7)).
        for (int cap : plan.droppedCapabilities()) ops.add(new Op.CapBsetDrop(cap));
        // 17. The user, and the seccomp filter placed for it (see becomeUser).
        becomeUser(ops, plan.identity(), plan.userNamespace().setgroupsAllowed(), plan.security(), true);

        // 18. Become the command.
        ops.add(new Op.Exec(plan.executableCandidates(), plan.argv(), plan.env()));
        return List.copyOf(ops);
    }

    /**
     * seccomp(2) takes a filter only with no_new_privs set or CAP_SYS_ADMIN in our user namespace
     * (seccomp(2), EACCES). podman leaves no_new_privs off by default so setuid programs in the
     * image keep working; then, as runc does, the filter must be loaded while we still hold
     * CAP_SYS_ADMIN: a switch to a non-zero UID clears the effective set (capabilities(7)), so for
     * such a user it comes before the switch, and the filter must allow
     * setgroups/setresgid/setresuid/prctl/execve (podman's profile does). Otherwise it is the last
     * step before execve, so it cannot refuse any of our own set-up. The same for `jrun exec`:
     * a process entering the container gets the container's filter (runc exec does the same).
     */
    static void becomeUser(List<Op> ops, ProcessIdentity id, boolean setgroupsAllowed, ContainerSecurity security,
                           boolean parentDeathSignal) {
        Optional<SeccompFilter> seccomp = security.seccomp();
        boolean filterLast = security.noNewPrivileges() || id.uid() == 0;
        if (security.noNewPrivileges()) ops.add(new Op.NoNewPrivs());
        if (seccomp.isPresent() && !filterLast) ops.add(seccompOp(seccomp.get()));
        if (setgroupsAllowed) ops.add(new Op.SetGroups(id.supplementaryGroups()));
        ops.add(new Op.SetResGid(id.gid()));
        ops.add(new Op.SetResUid(id.uid()));
        // A credential change clears the parent-death signal (prctl(2)): set it again.
        if (parentDeathSignal) ops.add(new Op.ParentDeathSignal(SIGKILL));
        if (seccomp.isPresent() && filterLast) ops.add(seccompOp(seccomp.get()));
    }

    private static Op seccompOp(SeccompFilter filter) {
        return new Op.Seccomp(filter.program(), filter.source());
    }

    /** close_range(2) over everything from 3 up except {@code keep} (-1 entries are ignored). */
    static List<Op> closeAllBut(int... keep) {
        int[] sorted = java.util.Arrays.stream(keep).filter(fd -> fd > 2).sorted().distinct().toArray();
        List<Op> out = new ArrayList<>();
        long next = 3;
        for (int fd : sorted) {
            if (fd > next) out.add(new Op.CloseRange(next, fd - 1));
            next = fd + 1L;
        }
        out.add(new Op.CloseRange(next, 0xFFFFFFFFL));
        return out;
    }

    /** Attaches a detached mount tree and closes its descriptor, which the container must not keep. */
    private void attach(int slot, String target, String what) {
        ops.add(new Op.MoveMount(slot, target, what));
        ops.add(new Op.Close(slot));
    }

    private static long depth(String path) {
        return path.chars().filter(c -> c == '/').count();
    }

    private int detachedMount(String fstype, long attributes) {
        int context = slot();
        int mount = slot();
        ops.add(new Op.FsOpen(fstype, context));
        // The source shows in mountinfo; "proc" and "sysfs" as mount(8) and podman leave it, since
        // tools (and people) look for it there.
        ops.add(new Op.FsConfig(context, FSCONFIG_SET_STRING, "source", fstype, "the source of a new " + fstype));
        ops.add(new Op.FsConfig(context, FSCONFIG_CMD_CREATE, null, null, "a new " + fstype));
        ops.add(new Op.FsMount(context, attributes, mount, "a new " + fstype));
        ops.add(new Op.Close(context));
        return mount;
    }

    private String mountRoot() {
        if (plan.rootfs() instanceof RootFs.Overlay o) {
            ops.add(new Op.Mount("overlay", o.mountPoint().toString(), "overlay", 0, overlayOptions(o), 0));
            return o.mountPoint().toString();
        }
        String dir = ((RootFs.Directory) plan.rootfs()).path().toString();
        ops.add(new Op.Mount(dir, dir, null, MS_BIND | MS_REC, null, 0));
        return dir;
    }

    /** The overlay mount's options for a container's root (also for a volume's copy-up). */
    static String overlayOptions(RootFs.Overlay o) {
        StringBuilder lower = new StringBuilder();
        for (var dir : o.lowerTopDown()) {
            if (lower.length() > 0) lower.append(':');
            lower.append(overlayEscape(dir.toString()));
        }
        // userxattr: overlayfs keeps its metadata in user.overlay.* xattrs, which an
        // unprivileged mounter may write (kernel >= 5.11, Documentation/filesystems/overlayfs.rst).
        return "lowerdir=" + lower + ",upperdir=" + overlayEscape(o.upper().toString())
                + ",workdir=" + overlayEscape(o.work().toString()) + ",userxattr";
    }

    /** overlayfs splits its options on ',' and lower dirs on ':'; both may be escaped with '\'. */
    static String overlayEscape(String path) {
        return path.replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:");
    }

    private void loopbackUp() {
        int slot = slot();
        ops.add(new Op.Socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, slot));
        byte[] ifreq = new byte[40];   // struct ifreq: char ifr_name[16]; short ifr_flags; ...
        ifreq[0] = 'l';
        ifreq[1] = 'o';
        short flags = (short) (IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
        ifreq[16] = (byte) flags;      // little-endian on both supported architectures
        ifreq[17] = (byte) (flags >> 8);
        ops.add(new Op.Ioctl(slot, SIOCSIFFLAGS, 0, ifreq, 0, "bring up the loopback interface"));
        ops.add(new Op.Close(slot));
    }

    private void etcFiles() {
        if (plan.etcFiles().isEmpty()) return;
        ops.add(new Op.Mkdir(ETC_STAGING, 0700, 0));
        ops.add(new Op.Mount("tmpfs", ETC_STAGING, "tmpfs", NOSUID_NODEV_NOEXEC, "mode=755,size=1m", 0));
        for (EtcFile f : plan.etcFiles()) {
            ops.add(new Op.WriteFile(ETC_STAGING + "/" + f.name(), f.content(), 0644));
        }
        for (EtcFile f : plan.etcFiles()) {
            if (f.createMountPoint()) {
                mkdirs(parent(f.path()));   // an image FROM scratch may have no /etc at all
                ops.add(new Op.CreateFile(f.path(), 0644));
            }
            // Through a symlink the target may not exist (resolv.conf -> ../run/...): then the
            // container keeps what it has rather than failing to start.
            ops.add(new Op.Mount(ETC_STAGING + "/" + f.name(), f.path(), null, MS_BIND, null,
                    f.throughSymlink() ? Op.IGNORE_ENOENT : 0));
            // podman: with --read-only, /etc/hosts and the others are read-only too.
            if (plan.readOnlyRoot()) {
                ops.add(new Op.MountSetAttr(AT_FDCWD, f.path(), 0, MOUNT_ATTR_RDONLY, 0, "make " + f.path()
                        + " read-only", f.throughSymlink() ? Op.IGNORE_ENOENT : 0));
            }
        }
        // The bind mounts keep the tmpfs alive; its staging mount point goes away.
        ops.add(new Op.Umount(ETC_STAGING, MNT_DETACH));
        ops.add(new Op.UnlinkAt(AT_FDCWD, ETC_STAGING, AT_REMOVEDIR));
    }

    private void newTerminal() {
        int master = slot();
        terminalSlot = slot();
        StdioScript.newTerminal(ops, master, terminalSlot, fds);
    }

    private void stdio() {
        StdioScript.connect(ops, plan.stdio(), terminalSlot, fds);
    }

    private void mkdirs(String path) {
        StringBuilder sofar = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            sofar.append('/').append(part);
            ops.add(new Op.Mkdir(sofar.toString(), 0755, Op.IGNORE_EEXIST));
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private int slot() {
        return nextSlot++;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
