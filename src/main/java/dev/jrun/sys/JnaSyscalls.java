package dev.jrun.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.List;

/** The real kernel, through direct-mapped JNA (no reflection per call). */
public final class JnaSyscalls implements Syscalls {

    static {
        // Without this JNA's NativeLibrary runs `ldconfig -p` in its static initializer, a
        // process start on every launch; jrun needs only libc (by soname) and its own library.
        if (System.getProperty("jna.platform.library.path") == null) {
            String arch = "aarch64".equals(System.getProperty("os.arch")) ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
            System.setProperty("jna.platform.library.path", "/usr/lib/" + arch + ":/lib/" + arch + ":/usr/lib:/lib");
        }
    }

    /** libc, direct-mapped. */
    static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native int getuid();
        static native int getgid();
        static native int pipe2(int[] fds, int flags) throws LastErrorException;
        static native int open(String path, int flags) throws LastErrorException;
        static native int close(int fd);
        static native long read(int fd, byte[] buf, long count) throws LastErrorException;
        static native long write(int fd, byte[] buf, long count) throws LastErrorException;
        static native int waitpid(int pid, int[] status, int options) throws LastErrorException;
        static native int kill(int pid, int signal);
        static native int isatty(int fd);
        static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;
        static native int ioctl(int fd, long request, short[] arg) throws LastErrorException;
        static native int tcgetattr(int fd, byte[] termios);
        static native int tcsetattr(int fd, int when, byte[] termios);
        static native void cfmakeraw(byte[] termios);
        static native String strerror(int errno);
        static native long lgetxattr(String path, String name, Pointer value, long size);
        static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;
    }

    /** The native half of the launch path, bundled in the jar (native/jrun.c). */
    static final class Jrun {
        static {
            Native.register(Jrun.class, NativeLibrary.getInstance("jrun"));
        }

        static native long jrun_spawn_blob(Pointer blob, long size, long nsFlags, int pidFd, int goFd, int goWriterFd, int errFd);
        static native int jrun_pidfd_open(int pid);
        static native int jrun_pidfd_send_signal(int pidfd, int signal);
        static native int jrun_exec(String path, Pointer argv, Pointer envp, int[] keep, int count);
        static native int jrun_forward_signals(int pid, int[] signals, int count, int notifyFd);
        static native int jrun_op_size();
        static native int jrun_recv_fd(int socket);
    }

    private static final int TERMIOS_SIZE = 64;   // glibc struct termios is 60 bytes
    private static final int TCSANOW = 0;

    /** Registers both libraries (Native.register in the holders' static initializers). */
    @Override
    public void warmUp() {
        Libc.getuid();
        Jrun.jrun_op_size();
    }

    @Override
    public int getuid() {
        return Libc.getuid();
    }

    @Override
    public int getgid() {
        return Libc.getgid();
    }

    @Override
    public int[] pipe() throws SysException {
        int[] fds = new int[2];
        try {
            Libc.pipe2(fds, (int) Linux.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw error("pipe2", e);
        }
        return fds;
    }

    @Override
    public int open(String path, long flags) throws SysException {
        try {
            return Libc.open(path, (int) (flags | Linux.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw error("open " + path, e);
        }
    }

    @Override
    public void close(int fd) {
        if (fd >= 0) Libc.close(fd);
    }

    @Override
    public int read(int fd, byte[] buf) throws SysException {
        while (true) {
            try {
                return (int) Libc.read(fd, buf, buf.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Linux.EINTR) throw error("read", e);
            }
        }
    }

    @Override
    public void write(int fd, byte[] buf) throws SysException {
        int done = 0;
        while (done < buf.length) {
            byte[] rest = done == 0 ? buf : java.util.Arrays.copyOfRange(buf, done, buf.length);
            try {
                done += (int) Libc.write(fd, rest, rest.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Linux.EINTR) throw error("write", e);
            }
        }
    }

    @Override
    public int spawn(List<Op> ops, long namespaceFlags, int pidFd, int goFd, int goWriterFd, int errFd)
            throws SysException {
        if (Jrun.jrun_op_size() != OpEncoder.OP_SIZE) {
            throw new SysException("load libjrun", Linux.ENOSYS, "libjrun.so does not match this jrun build");
        }
        byte[] blob = OpEncoder.encode(ops);
        Memory encoded = new Memory(blob.length);
        encoded.write(0, blob, 0, blob.length);
        long result = Jrun.jrun_spawn_blob(encoded, blob.length, namespaceFlags, pidFd, goFd, goWriterFd, errFd);
        // Keep the operation list reachable until the child has exec'd: spawn returns only then.
        java.lang.ref.Reference.reachabilityFence(encoded);
        if (result < 0) {
            int errno = (int) -result;
            throw new SysException("clone", errno, strerror(errno));
        }
        return (int) result;
    }

    @Override
    public SysException exec(String path, List<String> argv, List<String> env, int[] keep) {
        com.sun.jna.StringArray args = new com.sun.jna.StringArray(argv.toArray(String[]::new));
        com.sun.jna.StringArray envp = new com.sun.jna.StringArray(env.toArray(String[]::new));
        int r = Jrun.jrun_exec(path, args, envp, keep, keep.length);
        return new SysException("execute " + path, -r, strerror(-r));
    }

    @Override
    public int pidfdOpen(int pid) throws SysException {
        int fd = Jrun.jrun_pidfd_open(pid);
        if (fd < 0) throw new SysException("pidfd_open " + pid, -fd, strerror(-fd));
        return fd;
    }

    @Override
    public boolean pidfdSignal(int pidfd, int signal) throws SysException {
        int r = Jrun.jrun_pidfd_send_signal(pidfd, signal);
        if (r == -Linux.ESRCH) return false;
        if (r < 0) throw new SysException("pidfd_send_signal", -r, strerror(-r));
        return true;
    }

    @Override
    public int waitpid(int pid) throws SysException {
        int[] status = new int[1];
        while (true) {
            try {
                Libc.waitpid(pid, status, 0x40000000 /* __WALL */);
                return status[0];
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Linux.EINTR) throw error("waitpid", e);
            }
        }
    }

    @Override
    public void kill(int pid, int signal) {
        Libc.kill(pid, signal);
    }

    @Override
    public void forwardSignals(int pid, int[] signals, int notifyFd) throws SysException {
        int r = Jrun.jrun_forward_signals(pid, signals, signals.length, notifyFd);
        if (r < 0) throw new SysException("sigaction", -r, strerror(-r));
    }

    @Override
    public int[] socketPair() throws SysException {
        int[] fds = new int[2];
        try {
            Libc.socketpair(Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0, fds);
        } catch (LastErrorException e) {
            throw error("socketpair", e);
        }
        return fds;
    }

    @Override
    public int receiveFd(int socket) throws SysException {
        int fd = Jrun.jrun_recv_fd(socket);
        if (fd < 0) throw new SysException("recvmsg", -fd, strerror(-fd));
        return fd;
    }

    @Override
    public int[] windowSize(int fd) {
        short[] ws = new short[4];
        try {
            Libc.ioctl(fd, Linux.TIOCGWINSZ, ws);
        } catch (LastErrorException e) {
            return null;
        }
        return new int[] {ws[0], ws[1]};
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) {
        try {
            Libc.ioctl(fd, Linux.TIOCSWINSZ, new short[] {(short) rows, (short) cols, 0, 0});
        } catch (LastErrorException ignored) {
            // The container's terminal is gone; nothing to resize.
        }
    }

    @Override
    public boolean isatty(int fd) {
        return Libc.isatty(fd) == 1;
    }

    @Override
    public byte[] makeRaw(int fd) {
        byte[] saved = new byte[TERMIOS_SIZE];
        if (Libc.tcgetattr(fd, saved) != 0) return null;
        byte[] raw = saved.clone();
        Libc.cfmakeraw(raw);
        Libc.tcsetattr(fd, TCSANOW, raw);
        return saved;
    }

    @Override
    public void restoreTerminal(int fd, byte[] saved) {
        if (saved != null) Libc.tcsetattr(fd, TCSANOW, saved);
    }

    @Override
    public String strerror(int errno) {
        return Libc.strerror(errno);
    }

    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int O_NONBLOCK = 04000;

    @Override
    public int[] nsIoctl(int fd, long request) throws SysException {
        short[] value = new short[2];   // a uid_t for NS_GET_OWNER_UID; the others ignore it
        try {
            int r = Libc.ioctl(fd, request, value);
            int written = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder())
                    .putShort(value[0]).putShort(value[1]).getInt(0);
            return new int[] {r, written};
        } catch (LastErrorException e) {
            throw error("ioctl " + Long.toHexString(request), e);
        }
    }

    @Override
    public int dup(int fd) throws SysException {
        try {
            return Libc.fcntl(fd, F_DUPFD_CLOEXEC, 3);
        } catch (LastErrorException e) {
            throw error("dup", e);
        }
    }

    @Override
    public void setNonBlocking(int fd) throws SysException {
        try {
            Libc.fcntl(fd, F_SETFL, Libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
        } catch (LastErrorException e) {
            throw error("fcntl", e);
        }
    }

    @Override
    public boolean hasXattr(String path, String name) {
        return Libc.lgetxattr(path, name, null, 0) >= 0;
    }

    @Override
    public SeccompProgram compileSeccomp(SeccompRules rules) throws SysException {
        return LibSeccomp.compile(rules);
    }

    private SysException error(String call, LastErrorException e) {
        return new SysException(call, e.getErrorCode(), strerror(e.getErrorCode()));
    }
}
