package dev.jrun.sys;

import static dev.jrun.sys.PanamaCalls.handle;
import static dev.jrun.sys.PanamaCalls.kernel;
import static dev.jrun.sys.PanamaCalls.unexpected;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jrun.sys.PanamaCalls.Call;
import dev.jrun.sys.PanamaCalls.Fn;
import dev.jrun.sys.PanamaCalls.Nr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The real kernel through {@code java.lang.foreign} (final since JDK 22): the backend
 * {@link SyscallsFactory} picks on JDK 22+. No JNA is loaded, which is most of what a launch
 * spends on native access on JDK 17. The downcalls are {@link PanamaCalls}'. Adding a kernel
 * call: its numbers in {@link Nr} and a method here that calls {@code kernel}. Adding a C
 * function: a constant in {@link Fn}, then a method here that invokes {@code handle(Fn.X)} with
 * exactly the constant's types ({@code invokeExact}).
 */
public final class PanamaSyscalls implements Syscalls {
    private static final int TERMIOS_SIZE = 64;   // glibc struct termios is 60 bytes
    private static final int TCSANOW = 0;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int O_NONBLOCK = 04000;

    @Override
    public void warmUp() {
        PanamaCalls.warmUp();
    }

    @Override
    public int getuid() {
        try (Call c = new Call()) {
            return (int) kernel(c, Nr.GETUID, 0, 0, 0, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int getgid() {
        try (Call c = new Call()) {
            return (int) kernel(c, Nr.GETGID, 0, 0, 0, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int[] pipe() throws SysException {
        try (Call c = new Call()) {
            MemorySegment fds = c.arena.allocate(JAVA_INT, 2);
            long r = kernel(c, Nr.PIPE2, fds.address(), Linux.O_CLOEXEC, 0, 0);
            if (r < 0) throw error("pipe2", c.errno());
            return fds.toArray(JAVA_INT);
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int open(String path, long flags) throws SysException {
        try (Call c = new Call()) {
            int fd = (int) kernel(c, Nr.OPENAT, Linux.AT_FDCWD, c.string(path).address(), flags | Linux.O_CLOEXEC, 0);
            if (fd < 0) throw error("open " + path, c.errno());
            return fd;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void close(int fd) {
        if (fd < 0) return;
        try (Call c = new Call()) {
            kernel(c, Nr.CLOSE, fd, 0, 0, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int read(int fd, byte[] buf) throws SysException {
        try (Call c = new Call()) {
            MemorySegment native_ = c.arena.allocate(Math.max(1, buf.length));
            while (true) {
                long n = kernel(c, Nr.READ, fd, native_.address(), buf.length, 0);
                if (n >= 0) {
                    MemorySegment.copy(native_, JAVA_BYTE, 0, buf, 0, (int) n);
                    return (int) n;
                }
                if (c.errno() != Linux.EINTR) throw error("read", c.errno());
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void write(int fd, byte[] buf) throws SysException {
        try (Call c = new Call()) {
            MemorySegment native_ = c.arena.allocate(Math.max(1, buf.length));
            MemorySegment.copy(buf, 0, native_, JAVA_BYTE, 0, buf.length);
            long done = 0;
            while (done < buf.length) {
                long n = kernel(c, Nr.WRITE, fd, native_.address() + done, buf.length - done, 0);
                if (n >= 0) {
                    done += n;
                } else if (c.errno() != Linux.EINTR) {
                    throw error("write", c.errno());
                }
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int spawn(List<Op> ops, long namespaceFlags, int pidFd, int goFd, int goWriterFd, int errFd)
            throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            if ((int) handle(Fn.JRUN_OP_SIZE).invokeExact() != OpEncoder.OP_SIZE) {
                throw new SysException("load libjrun", Linux.ENOSYS, "libjrun.so does not match this jrun build");
            }
            // Lives until the child has exec'd: jrun_spawn_blob returns only then (CLONE_VFORK).
            byte[] blob = OpEncoder.encode(ops);
            MemorySegment encoded = arena.allocate(blob.length, 8);
            MemorySegment.copy(blob, 0, encoded, JAVA_BYTE, 0, blob.length);
            long result = (long) handle(Fn.JRUN_SPAWN_BLOB).invokeExact(encoded, (long) blob.length, namespaceFlags,
                    pidFd, goFd, goWriterFd, errFd);
            if (result < 0) {
                int errno = (int) -result;
                throw new SysException("clone", errno, strerror(errno));
            }
            return (int) result;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public SysException exec(String path, List<String> argv, List<String> env, int[] keep) {
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) handle(Fn.JRUN_EXEC).invokeExact(arena.allocateFrom(path), stringArray(arena, argv),
                    stringArray(arena, env), arena.allocateFrom(JAVA_INT, keep), keep.length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        return new SysException("execute " + path, -r, strerror(-r));
    }

    /** A NULL-terminated char *[] of {@code strings}, in {@code arena}. */
    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    @Override
    public int pidfdOpen(int pid) throws SysException {
        int fd;
        try {
            fd = (int) handle(Fn.JRUN_PIDFD_OPEN).invokeExact(pid);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (fd < 0) throw new SysException("pidfd_open " + pid, -fd, strerror(-fd));
        return fd;
    }

    @Override
    public boolean pidfdSignal(int pidfd, int signal) throws SysException {
        int r;
        try {
            r = (int) handle(Fn.JRUN_PIDFD_SEND_SIGNAL).invokeExact(pidfd, signal);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r == -Linux.ESRCH) return false;
        if (r < 0) throw new SysException("pidfd_send_signal", -r, strerror(-r));
        return true;
    }

    @Override
    public int waitpid(int pid) throws SysException {
        try (Call c = new Call()) {
            MemorySegment status = c.arena.allocate(JAVA_INT);
            while (true) {
                // waitpid(pid, &status, __WALL) is wait4 without the rusage
                long r = kernel(c, Nr.WAIT4, pid, status.address(), 0x40000000 /* __WALL */, 0);
                if (r >= 0) return status.get(JAVA_INT, 0);
                if (c.errno() != Linux.EINTR) throw error("waitpid", c.errno());
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void kill(int pid, int signal) {
        try (Call c = new Call()) {
            kernel(c, Nr.KILL, pid, signal, 0, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void forwardSignals(int pid, int[] signals, int notifyFd) throws SysException {
        int r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocateFrom(JAVA_INT, signals);
            r = (int) handle(Fn.JRUN_FORWARD_SIGNALS).invokeExact(pid, list, signals.length, notifyFd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r < 0) throw new SysException("sigaction", -r, strerror(-r));
    }

    @Override
    public int[] socketPair() throws SysException {
        try (Call c = new Call()) {
            MemorySegment fds = c.arena.allocate(JAVA_INT, 2);
            long r = kernel(c, Nr.SOCKETPAIR, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0, fds.address());
            if (r < 0) throw error("socketpair", c.errno());
            return fds.toArray(JAVA_INT);
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int receiveFd(int socket) throws SysException {
        int fd;
        try {
            fd = (int) handle(Fn.JRUN_RECV_FD).invokeExact(socket);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (fd < 0) throw new SysException("recvmsg", -fd, strerror(-fd));
        return fd;
    }

    /** ioctl(fd, request, struct winsize *): 0 or -1. */
    private static int winsizeIoctl(int fd, long request, MemorySegment ws, Call c) throws Throwable {
        return (int) kernel(c, Nr.IOCTL, fd, request, ws.address(), 0);
    }

    @Override
    public int[] windowSize(int fd) {
        try (Call c = new Call()) {
            MemorySegment ws = c.arena.allocate(JAVA_SHORT, 4);
            if (winsizeIoctl(fd, Linux.TIOCGWINSZ, ws, c) < 0) return null;
            return new int[] {ws.getAtIndex(JAVA_SHORT, 0), ws.getAtIndex(JAVA_SHORT, 1)};
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) {
        try (Call c = new Call()) {
            MemorySegment ws = c.arena.allocateFrom(JAVA_SHORT, (short) rows, (short) cols, (short) 0, (short) 0);
            winsizeIoctl(fd, Linux.TIOCSWINSZ, ws, c);   // a failure: the container's terminal is gone
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean isatty(int fd) {
        try {
            return (int) handle(Fn.ISATTY).invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public byte[] makeRaw(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocate(TERMIOS_SIZE);
            if ((int) handle(Fn.TCGETATTR).invokeExact(fd, termios) != 0) return null;
            byte[] saved = termios.toArray(JAVA_BYTE);
            handle(Fn.CFMAKERAW).invokeExact(termios);
            int ignored = (int) handle(Fn.TCSETATTR).invokeExact(fd, TCSANOW, termios);
            return saved;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void restoreTerminal(int fd, byte[] saved) {
        if (saved == null) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocate(TERMIOS_SIZE);
            MemorySegment.copy(saved, 0, termios, JAVA_BYTE, 0, Math.min(saved.length, TERMIOS_SIZE));
            int ignored = (int) handle(Fn.TCSETATTR).invokeExact(fd, TCSANOW, termios);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) handle(Fn.STRERROR).invokeExact(errno);
            return message.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int[] nsIoctl(int fd, long request) throws SysException {
        try (Call c = new Call()) {
            MemorySegment value = c.arena.allocate(JAVA_INT);   // a uid_t for NS_GET_OWNER_UID
            int r = (int) kernel(c, Nr.IOCTL, fd, request, value.address(), 0);
            if (r < 0) throw error("ioctl " + Long.toHexString(request), c.errno());
            return new int[] {r, value.get(JAVA_INT, 0)};
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int dup(int fd) throws SysException {
        try (Call c = new Call()) {
            int r = (int) kernel(c, Nr.FCNTL, fd, F_DUPFD_CLOEXEC, 3, 0);
            if (r < 0) throw error("dup", c.errno());
            return r;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void setNonBlocking(int fd) throws SysException {
        try (Call c = new Call()) {
            int flags = (int) kernel(c, Nr.FCNTL, fd, F_GETFL, 0, 0);
            if (flags < 0) throw error("fcntl", c.errno());
            if (kernel(c, Nr.FCNTL, fd, F_SETFL, flags | O_NONBLOCK, 0) < 0) {
                throw error("fcntl", c.errno());
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean hasXattr(String path, String name) {
        try (Call c = new Call()) {
            return kernel(c, Nr.LGETXATTR, c.string(path).address(), c.string(name).address(), 0, 0) >= 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * libseccomp through JNA in both backends: it runs only when the cache of compiled filters
     * misses (dev.jrun.seccomp), and JnaSyscalls keeps JNA from running ldconfig at load.
     */
    @Override
    public SeccompProgram compileSeccomp(SeccompRules rules) throws SysException {
        return new JnaSyscalls().compileSeccomp(rules);
    }

    private SysException error(String call, int errno) {
        return new SysException(call, errno, strerror(errno));
    }
}
