package dev.jrun.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Compiles {@link SeccompRules} with Debian's libseccomp2, the library runc and crun build
 * podman's filters with, so name resolution per ABI, argument comparisons on 32- and 64-bit
 * ABIs and the layout of the program are the same as theirs. It runs in the JVM and only
 * computes: the program is exported (seccomp_export_bpf) into a memfd and read back; the
 * container's child loads it.
 */
final class LibSeccomp {
    private LibSeccomp() {}

    /** Loaded on first use only: a run with seccomp=unconfined never maps the library. */
    static final class Lib {
        static {
            Native.register(Lib.class, NativeLibrary.getInstance("libseccomp.so.2"));
        }

        static native Pointer seccomp_init(int defaultAction);
        static native void seccomp_release(Pointer ctx);
        static native int seccomp_arch_resolve_name(String name);
        static native int seccomp_arch_add(Pointer ctx, int archToken);
        static native int seccomp_syscall_resolve_name(String name);
        static native int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int count, Pointer conditions);
        static native int seccomp_export_bpf(Pointer ctx, int fd);
    }

    static final class Memfd {
        static {
            Native.register(Memfd.class, NativeLibrary.getInstance("c"));
        }

        static native int memfd_create(String name, int flags) throws LastErrorException;
        static native long pread(int fd, byte[] buf, long count, long offset) throws LastErrorException;
        static native long lseek(int fd, long offset, int whence) throws LastErrorException;
        static native int close(int fd);
    }

    /** __NR_SCMP_ERROR: a name libseccomp does not know on any ABI. */
    private static final int UNKNOWN_SYSCALL = -1;
    private static final int CONDITION_SIZE = 24;   // struct scmp_arg_cmp: uint arg, enum op, u64 a, u64 b
    private static final int MFD_CLOEXEC = 1;
    private static final int SEEK_END = 2;
    private static final int EEXIST = 17;

    static SeccompProgram compile(SeccompRules rules) throws SysException {
        Pointer ctx;
        try {
            ctx = Lib.seccomp_init((int) rules.defaultAction());
        } catch (LinkageError e) {   // UnsatisfiedLinkError the first time, NoClassDefFoundError after
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            throw new SysException("load libseccomp.so.2", 2, "cannot load it (" + why
                    + "); install it as root: apt-get install libseccomp2");
        }
        if (ctx == null) throw new SysException("seccomp_init", 22, "libseccomp refused the default action");
        try {
            for (String arch : rules.extraArchitectures()) {
                int token = Lib.seccomp_arch_resolve_name(arch);
                if (token == 0) continue;   // an ABI this libseccomp does not know: nothing to cover
                int r = Lib.seccomp_arch_add(ctx, token);
                if (r < 0 && -r != EEXIST) throw new SysException("seccomp_arch_add " + arch, -r, "libseccomp error " + r);
            }
            for (SeccompRules.Rule rule : rules.rules()) add(ctx, rule);
            return export(ctx);
        } finally {
            Lib.seccomp_release(ctx);
        }
    }

    private static void add(Pointer ctx, SeccompRules.Rule rule) throws SysException {
        int nr = Lib.seccomp_syscall_resolve_name(rule.syscall());
        // As runc: a name this libseccomp has never heard of cannot be made on this machine either.
        if (nr == UNKNOWN_SYSCALL) return;
        Memory conditions = null;
        if (!rule.conditions().isEmpty()) {
            conditions = new Memory((long) CONDITION_SIZE * rule.conditions().size());
            for (int i = 0; i < rule.conditions().size(); i++) {
                SeccompRules.Condition c = rule.conditions().get(i);
                long base = (long) i * CONDITION_SIZE;
                conditions.setInt(base, c.index());
                conditions.setInt(base + 4, c.op());
                conditions.setLong(base + 8, c.a());
                conditions.setLong(base + 16, c.b());
            }
        }
        int r = Lib.seccomp_rule_add_array(ctx, (int) rule.action(), nr, rule.conditions().size(), conditions);
        if (r < 0 && -r != EEXIST) {
            throw new SysException("seccomp_rule_add " + rule.syscall(), -r, "libseccomp refused the rule " + rule);
        }
    }

    private static SeccompProgram export(Pointer ctx) throws SysException {
        int fd;
        try {
            fd = Memfd.memfd_create("jrun-seccomp", MFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SysException("memfd_create", e.getErrorCode(), "cannot make a buffer for the filter");
        }
        try {
            int r = Lib.seccomp_export_bpf(ctx, fd);
            if (r < 0) throw new SysException("seccomp_export_bpf", -r, "libseccomp error " + r);
            long size = Memfd.lseek(fd, 0, SEEK_END);
            byte[] bpf = new byte[(int) size];
            long done = 0;
            while (done < size) {
                byte[] chunk = new byte[(int) (size - done)];
                long n = Memfd.pread(fd, chunk, chunk.length, done);
                if (n <= 0) break;
                System.arraycopy(chunk, 0, bpf, (int) done, (int) n);
                done += n;
            }
            try {
                return new SeccompProgram(bpf);
            } catch (IllegalArgumentException e) {
                throw new SysException("seccomp_export_bpf", 7 /* E2BIG */, e.getMessage()
                        + "; the profile has too many rules for one filter");
            }
        } catch (LastErrorException e) {
            throw new SysException("read the exported filter", e.getErrorCode(), "read failed");
        } finally {
            Memfd.close(fd);
        }
    }
}
