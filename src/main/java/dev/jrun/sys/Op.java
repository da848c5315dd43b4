package dev.jrun.sys;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One step of the child's script, carried out literally by {@code native/jrun.c}.
 * Every operation describes itself for error messages ("mount proc on /proc").
 */
public sealed interface Op {

    /** Which errno values the child treats as success for this step. */
    int IGNORE_EEXIST = 1;
    int IGNORE_ENOENT = 2;
    /** A mount of a directory over a file, or of a file over a directory, fails with ENOTDIR. */
    int IGNORE_ENOTDIR = 4;
    /** The kernel (or a seccomp filter around jrun) lacks the call. */
    int IGNORE_ENOSYS = 8;

    OpCode code();

    /** What this step does, in words a user can act on: "bind-mount /dev/null on /dev/null". */
    String describe();

    /** Writes the numeric and string arguments; see {@link OpWriter}. */
    void encode(OpWriter w);

    default int flags() {
        return 0;
    }

    /** Where the encoded arguments go; implemented by the JNA encoder and by test fakes. */
    interface OpWriter {
        void op(Op op, int flags, long n0, long n1, long n2, long n3, Object s0, Object s1, Object s2, Object s3);
    }

    record Mount(String source, String target, String fstype, long mountFlags, String data, int flags)
            implements Op {
        public OpCode code() { return OpCode.MOUNT; }
        public String describe() {
            if ((mountFlags & Linux.MS_BIND) != 0) return "bind-mount " + source + " on " + target;
            if (fstype == null) return "change mount " + target;
            return "mount " + fstype + " on " + target;
        }
        public void encode(OpWriter w) { w.op(this, flags, mountFlags, 0, 0, 0, source, target, fstype, data); }
    }

    record Umount(String target, int umountFlags) implements Op {
        public OpCode code() { return OpCode.UMOUNT2; }
        public String describe() { return "detach " + target; }
        public void encode(OpWriter w) { w.op(this, 0, umountFlags, 0, 0, 0, target, null, null, null); }
    }

    /** Clones a host mount tree into fd {@code slot} before pivot_root hides the host. */
    record OpenTree(String path, int treeFlags, int slot) implements Op {
        public OpCode code() { return OpCode.OPEN_TREE; }
        public String describe() { return "open " + path + " for bind-mounting"; }
        public void encode(OpWriter w) { w.op(this, 0, treeFlags, slot, 0, 0, path, null, null, null); }
    }

    record MoveMount(int slot, String target, String what) implements Op {
        public OpCode code() { return OpCode.MOVE_MOUNT; }
        public String describe() { return "bind-mount " + what + " on " + target; }
        public void encode(OpWriter w) {
            w.op(this, 0, slot, Linux.MOVE_MOUNT_F_EMPTY_PATH, 0, 0, target, null, null, null);
        }
    }

    /** mount_setattr(2): changes only the named attributes, so locked ones stay as they are. */
    record MountSetAttr(int dirFd, String path, int atFlags, long attrSet, long attrClear, String why, int flags)
            implements Op {
        public OpCode code() { return OpCode.MOUNT_SETATTR; }
        public String describe() { return why; }
        public void encode(OpWriter w) {
            w.op(this, flags, dirFd, atFlags, attrSet, attrClear, path, null, null, null);
        }
    }

    record Mkdir(String path, int mode, int flags) implements Op {
        public OpCode code() { return OpCode.MKDIR; }
        public String describe() { return "create directory " + path; }
        public void encode(OpWriter w) { w.op(this, flags, mode, 0, 0, 0, path, null, null, null); }
    }

    record CreateFile(String path, int mode) implements Op {
        public OpCode code() { return OpCode.CREATE_FILE; }
        public String describe() { return "create mount point " + path; }
        public void encode(OpWriter w) { w.op(this, 0, mode, 0, 0, 0, path, null, null, null); }
    }

    record WriteFile(String path, byte[] content, int mode) implements Op {
        public WriteFile {
            content = content.clone();
        }
        public OpCode code() { return OpCode.WRITE_FILE; }
        public String describe() { return "write " + path; }
        public void encode(OpWriter w) { w.op(this, 0, mode, content.length, 0, 0, path, content, null, null); }
        public String text() { return new String(content, StandardCharsets.UTF_8); }
    }

    record Symlink(String target, String linkPath, int flags) implements Op {
        public OpCode code() { return OpCode.SYMLINK; }
        public String describe() { return "create symlink " + linkPath + " -> " + target; }
        public void encode(OpWriter w) { w.op(this, flags, 0, 0, 0, 0, target, linkPath, null, null); }
    }

    record Chdir(String path) implements Op {
        public OpCode code() { return OpCode.CHDIR; }
        public String describe() { return "change directory to " + path; }
        public void encode(OpWriter w) { w.op(this, 0, 0, 0, 0, 0, path, null, null, null); }
    }

    record PivotRoot(String newRoot, String putOld) implements Op {
        public OpCode code() { return OpCode.PIVOT_ROOT; }
        public String describe() { return "pivot_root into the container's root filesystem"; }
        public void encode(OpWriter w) { w.op(this, 0, 0, 0, 0, 0, newRoot, putOld, null, null); }
    }

    record SetHostname(String name) implements Op {
        public OpCode code() { return OpCode.SETHOSTNAME; }
        public String describe() { return "set hostname " + name; }
        public void encode(OpWriter w) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            w.op(this, 0, bytes.length, 0, 0, 0, bytes, null, null, null);
        }
    }

    record SetGroups(List<Long> gids) implements Op {
        public SetGroups {
            gids = List.copyOf(gids);
        }
        public OpCode code() { return OpCode.SETGROUPS; }
        public String describe() { return "set supplementary groups " + gids; }
        public void encode(OpWriter w) {
            int[] array = gids.stream().mapToInt(Long::intValue).toArray();
            w.op(this, 0, array.length, 0, 0, 0, array, null, null, null);
        }
    }

    record SetResGid(long gid) implements Op {
        public OpCode code() { return OpCode.SETRESGID; }
        public String describe() { return "switch to group " + gid; }
        public void encode(OpWriter w) { w.op(this, 0, gid, 0, 0, 0, null, null, null, null); }
    }

    record SetResUid(long uid) implements Op {
        public OpCode code() { return OpCode.SETRESUID; }
        public String describe() { return "switch to user " + uid; }
        public void encode(OpWriter w) { w.op(this, 0, uid, 0, 0, 0, null, null, null, null); }
    }

    record CapBsetDrop(int capability) implements Op {
        public OpCode code() { return OpCode.CAPBSET_DROP; }
        public String describe() { return "drop capability " + capability + " from the bounding set"; }
        public void encode(OpWriter w) { w.op(this, 0, capability, 0, 0, 0, null, null, null, null); }
    }

    record SetSid() implements Op {
        public OpCode code() { return OpCode.SETSID; }
        public String describe() { return "start a new session"; }
        public void encode(OpWriter w) { w.op(this, 0, 0, 0, 0, 0, null, null, null, null); }
    }

    record Dup2(int from, int to) implements Op {
        public OpCode code() { return OpCode.DUP2; }
        public String describe() { return "attach descriptor " + from + " as " + to; }
        public void encode(OpWriter w) { w.op(this, 0, from, to, 0, 0, null, null, null, null); }
    }

    /**
     * ioctl(2) with an integer argument, or with a pointer to {@code buffer} when it is set;
     * when {@code resultSlot} is not 0 the call returns a new descriptor, placed there.
     */
    record Ioctl(int fd, long request, long arg, byte[] buffer, int resultSlot, String why) implements Op {
        public Ioctl {
            buffer = buffer == null ? null : buffer.clone();
        }
        public OpCode code() { return OpCode.IOCTL; }
        public String describe() { return why; }
        public void encode(OpWriter w) { w.op(this, 0, fd, request, arg, resultSlot, buffer, null, null, null); }
    }

    /** Passes descriptor {@code fd} to the launcher over the unix socket {@code socket} (SCM_RIGHTS). */
    record SendFd(int socket, int fd, String what) implements Op {
        public OpCode code() { return OpCode.SEND_FD; }
        public String describe() { return "hand " + what + " to jrun"; }
        public void encode(OpWriter w) { w.op(this, 0, socket, fd, 0, 0, null, null, null, null); }
    }

    record Socket(int domain, int type, int protocol, int slot) implements Op {
        public OpCode code() { return OpCode.SOCKET; }
        public String describe() { return "open a socket to configure the network"; }
        public void encode(OpWriter w) { w.op(this, 0, domain, type, protocol, slot, null, null, null, null); }
    }

    /** fsopen(2): a new filesystem context in fd {@code slot}. */
    record FsOpen(String fstype, int slot) implements Op {
        public OpCode code() { return OpCode.FSOPEN; }
        public String describe() { return "prepare a new " + fstype; }
        public void encode(OpWriter w) { w.op(this, 0, Linux.FSOPEN_CLOEXEC, slot, 0, 0, fstype, null, null, null); }
    }

    /** fsconfig(2) on the context in {@code fd}. */
    record FsConfig(int fd, int command, String key, String value, String what) implements Op {
        public OpCode code() { return OpCode.FSCONFIG; }
        public String describe() { return "configure " + what; }
        public void encode(OpWriter w) { w.op(this, 0, fd, command, 0, 0, key, value, null, null); }
    }

    /** fsmount(2): a detached mount of the context in {@code fd}, into fd {@code slot}. */
    record FsMount(int fd, long attributes, int slot, String what) implements Op {
        public OpCode code() { return OpCode.FSMOUNT; }
        public String describe() { return "mount " + what; }
        public void encode(OpWriter w) { w.op(this, 0, fd, Linux.FSMOUNT_CLOEXEC, attributes, slot, null, null, null, null); }
    }

    record UnlinkAt(int dirFd, String path, int atFlags) implements Op {
        public OpCode code() { return OpCode.UNLINKAT; }
        public String describe() { return "remove " + path; }
        public void encode(OpWriter w) { w.op(this, 0, dirFd, atFlags, 0, 0, path, null, null, null); }
    }

    record ParentDeathSignal(int signal) implements Op {
        public OpCode code() { return OpCode.PDEATHSIG; }
        public String describe() { return "arrange to be killed when jrun dies"; }
        public void encode(OpWriter w) { w.op(this, 0, signal, 0, 0, 0, null, null, null, null); }
    }

    record NoNewPrivs() implements Op {
        public OpCode code() { return OpCode.SET_NO_NEW_PRIVS; }
        public String describe() { return "set no_new_privs"; }
        public void encode(OpWriter w) { w.op(this, 0, 0, 0, 0, 0, null, null, null, null); }
    }

    /** openat2(2) into fd {@code slot}; {@code resolve} confines the lookup (RESOLVE_BENEATH...). */
    record OpenAt2(int dirFd, String path, long openFlags, long resolve, int slot) implements Op {
        public OpCode code() { return OpCode.OPENAT2; }
        public String describe() { return "open " + path; }
        public void encode(OpWriter w) { w.op(this, 0, dirFd, openFlags, resolve, slot, path, null, null, null); }
    }

    record FchownAt(int dirFd, String name, long uid, long gid, int atFlags, String shownPath) implements Op {
        public OpCode code() { return OpCode.FCHOWNAT; }
        public String describe() { return "change owner of " + shownPath + " to " + uid + ":" + gid; }
        public void encode(OpWriter w) { w.op(this, 0, dirFd, uid, gid, atFlags, name, null, null, null); }
    }

    record FchmodAt(int dirFd, String name, int mode, String shownPath) implements Op {
        public OpCode code() { return OpCode.FCHMODAT; }
        public String describe() { return "set mode " + Integer.toOctalString(mode) + " on " + shownPath; }
        public void encode(OpWriter w) { w.op(this, 0, dirFd, mode, 0, 0, name, null, null, null); }
    }

    /** close_range(2): descriptors {@code first..last} (inclusive; last may be 0xFFFFFFFF). */
    record CloseRange(long first, long last) implements Op {
        public OpCode code() { return OpCode.CLOSE_RANGE; }
        public String describe() { return "close descriptors " + first + "-" + last; }
        public void encode(OpWriter w) { w.op(this, 0, first, last, 0, 0, null, null, null, null); }
    }

    /**
     * seccomp(2) SECCOMP_SET_MODE_FILTER with a compiled classic-BPF program. The kernel takes it
     * only with no_new_privs set or CAP_SYS_ADMIN in the caller's user namespace.
     */
    record Seccomp(SeccompProgram program, String source) implements Op {
        public OpCode code() { return OpCode.SECCOMP; }
        public String describe() { return "load the seccomp filter of " + source; }
        public void encode(OpWriter w) {
            w.op(this, 0, program.instructions(), 0, 0, 0, program.bpf(), null, null, null);
        }
    }

    /**
     * keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a new anonymous session keyring, as runc gives each
     * container. ENOSYS is success, as in runc: without keyrings in the kernel, or with keyctl
     * refused by a filter around jrun (which the container inherits), there is nothing to reach.
     */
    record JoinSessionKeyring() implements Op {
        public OpCode code() { return OpCode.JOIN_SESSION_KEYRING; }
        public String describe() { return "start a session keyring of its own"; }
        public int flags() { return IGNORE_ENOSYS; }
        public void encode(OpWriter w) { w.op(this, IGNORE_ENOSYS, 0, 0, 0, 0, null, null, null, null); }
    }

    record Close(int fd) implements Op {
        public OpCode code() { return OpCode.CLOSE; }
        public String describe() { return "close descriptor " + fd; }
        public void encode(OpWriter w) { w.op(this, 0, fd, 0, 0, 0, null, null, null, null); }
    }

    /** execve(2) of the first candidate that exists, as execvp(3) walks $PATH. */
    record Exec(List<String> candidates, List<String> argv, List<String> env) implements Op {
        public Exec {
            candidates = List.copyOf(candidates);
            argv = List.copyOf(argv);
            env = List.copyOf(env);
        }
        public OpCode code() { return OpCode.EXEC; }
        public String describe() { return "execute " + argv.get(0); }
        public void encode(OpWriter w) {
            w.op(this, 0, 0, 0, 0, 0, candidates.toArray(String[]::new), argv.toArray(String[]::new),
                    env.toArray(String[]::new), null);
        }
    }

    record Exit(int status) implements Op {
        public OpCode code() { return OpCode.EXIT; }
        public String describe() { return "exit " + status; }
        public void encode(OpWriter w) { w.op(this, 0, status, 0, 0, 0, null, null, null, null); }
    }

    /** setns(2): join the namespaces of {@code fd} (a pidfd with several CLONE_NEW* types, or one namespace file). */
    record SetNs(int fd, long nsTypes, String what) implements Op {
        public OpCode code() { return OpCode.SETNS; }
        public String describe() { return "join " + what; }
        public void encode(OpWriter w) { w.op(this, 0, fd, nsTypes, 0, 0, null, null, null, null); }
    }

    /**
     * fork(2): the parent writes the child's PID (in jrun's PID namespace) on {@code pidFd} and
     * exits 0; the child carries on with the next step. After setns(CLONE_NEWPID) only a child
     * is in the new PID namespace.
     */
    record Fork(int pidFd) implements Op {
        public OpCode code() { return OpCode.FORK; }
        public String describe() { return "fork into the container's PID namespace"; }
        public void encode(OpWriter w) { w.op(this, 0, pidFd, 0, 0, 0, null, null, null, null); }
    }
}
