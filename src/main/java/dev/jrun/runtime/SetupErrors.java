package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import java.util.List;

/** Turns the child's {operation index, errno} into a message a person can act on. */
final class SetupErrors {
    /** What libjrun reports for an operation code it does not know (JRUN_UNKNOWN_OP); never an errno. */
    static final int UNKNOWN_OPERATION = -1;

    private SetupErrors() {}

    static JrunException failure(List<Op> ops, int index, int errno, String reason) {
        if (index < 0) {
            return new JrunException("prepare the container process: " + reason
                    + (errno == EINVAL ? "; close_range(2) needs Linux 5.11 or later" : ""));
        }
        if (index >= ops.size()) {
            return new JrunException("the container script ended without exec or exit (a jrun bug; please report it)");
        }
        Op op = ops.get(index);
        if (errno == UNKNOWN_OPERATION) {
            return new JrunException(op.describe() + ": the native library does not know operation " + op.code()
                    + "; it is older than this jrun: rebuild (./jrun rebuilds itself when its sources change)");
        }
        // After the filter is in, a refusal is the profile's doing, not the kernel's.
        boolean filtered = ops.subList(0, index).stream().anyMatch(o -> o instanceof Op.Seccomp);
        if (filtered && !(op instanceof Op.Exec) && (errno == ENOSYS || errno == EPERM || errno == EACCES)) {
            return new JrunException(op.describe() + ": " + reason + "; the seccomp profile refuses a call jrun makes "
                    + "after loading it: allow setgroups, setresgid, setresuid, prctl and execve in the profile, or "
                    + "run with --security-opt no-new-privileges (then the filter is loaded last)");
        }
        if (errno == ENOSYS) {
            return new JrunException(op.describe() + ": " + reason + "; this kernel (" + System.getProperty("os.version")
                    + ") or a seccomp filter around jrun lacks that system call: jrun needs Linux 5.12 or later");
        }
        if (op instanceof Op.Exec exec) return execFailure(exec, errno, reason);
        return new JrunException(op.describe() + ": " + reason + hint(op, errno));
    }

    private static JrunException execFailure(Op.Exec exec, int errno, String reason) {
        String command = exec.argv().get(0);
        if (errno == ENOENT || errno == ENOTDIR) {
            String where = command.contains("/") ? "" : " in $PATH";
            return new JrunException(JrunException.NOT_FOUND, "executable file '" + command + "' not found" + where
                    + " in the container: " + reason + "; check the command name and the image's PATH", null);
        }
        if (errno == EACCES) {
            return new JrunException(JrunException.CANNOT_INVOKE, "'" + command + "' cannot be executed in the "
                    + "container: " + reason + "; it must be a file with execute permission", null);
        }
        if (errno == ENOEXEC) {
            return new JrunException(JrunException.CANNOT_INVOKE, "'" + command + "' cannot be executed in the "
                    + "container: " + reason + "; it is not a program for this machine (a script needs a #! line)",
                    null);
        }
        return new JrunException(JrunException.CANNOT_INVOKE, "execute '" + command + "' in the container: " + reason,
                null);
    }

    private static String hint(Op op, int errno) {
        if (op instanceof Op.FsMount && errno == EPERM) {
            return "; the kernel refuses a new /proc when parts of the host's /proc are covered by other mounts "
                    + "(as inside another container); run jrun where /proc is fully visible";
        }
        if (op instanceof Op.Mount m && "overlay".equals(m.fstype())) {
            if (errno == EACCES || errno == EPERM) {
                return "; the container's root may not read a layer directory or write its private upper directory "
                        + "(check the owners under the store; --storage-driver vfs avoids overlayfs)";
            }
            return "; overlayfs inside a user namespace needs Linux 5.11 or later (--storage-driver vfs avoids it)";
        }
        if (op instanceof Op.OpenTree t && (errno == EACCES || errno == ENOENT)) {
            return "; check that " + t.path() + " exists and that you can read it";
        }
        if ((op instanceof Op.Mkdir || op instanceof Op.CreateFile)
                && (errno == EROFS || errno == EACCES || errno == EPERM)) {
            return "; the root filesystem is read-only or not writable by you: create that path in it first";
        }
        if (op instanceof Op.JoinSessionKeyring && errno == EDQUOT) {
            return "; every running container holds a keyring, counted against your key quota (keyrings(7)); "
                    + "as root raise it: sysctl -w kernel.keys.maxkeys=2000 kernel.keys.maxbytes=200000";
        }
        if (op instanceof Op.Seccomp && errno == EACCES) {
            return "; seccomp(2) needs no_new_privs or CAP_SYS_ADMIN in the container's user namespace (a jrun bug; "
                    + "please report it), --security-opt no-new-privileges avoids it";
        }
        if (op instanceof Op.Seccomp && errno == EINVAL) {
            return "; the kernel refused the compiled filter (is it built with CONFIG_SECCOMP_FILTER?); "
                    + "--security-opt seccomp=unconfined runs without one";
        }
        if (op instanceof Op.PivotRoot) {
            return "; the rootfs must be a directory that can be a mount point (not the initramfs)";
        }
        if ((op instanceof Op.SetResUid || op instanceof Op.SetResGid || op instanceof Op.SetGroups)
                && errno == EINVAL) {
            return "; that ID is not mapped in the container's user namespace";
        }
        return "";
    }
}
