package dev.jrun.sys;

import java.util.List;

/**
 * The one seam between jrun and the kernel. {@link JnaSyscalls} is the real thing;
 * tests pass a recording fake through the constructor of whatever they test.
 */
public interface Syscalls {

    int getuid();

    int getgid();

    /** pipe2(O_CLOEXEC): {read end, write end}. */
    int[] pipe() throws SysException;

    int open(String path, long flags) throws SysException;

    void close(int fd);

    /** Reads up to {@code buf.length} bytes; 0 at end of file. */
    int read(int fd, byte[] buf) throws SysException;

    void write(int fd, byte[] buf) throws SysException;

    /** Reads until {@code buf} is full or end of file; returns how many bytes came. */
    default int readFully(int fd, byte[] buf) throws SysException {
        int total = 0;
        while (total < buf.length) {
            byte[] rest = new byte[buf.length - total];
            int n = read(fd, rest);
            if (n <= 0) break;
            System.arraycopy(rest, 0, buf, total, n);
            total += n;
        }
        return total;
    }

    /**
     * Starts the child script: clone(CLONE_VM|CLONE_VFORK) with {@code namespaceFlags}. The call
     * returns once the child has exec'd or exited. The child reports its PID on {@code pidFd},
     * waits for a byte on {@code goFd} (closing its copy of {@code goWriterFd} first, so that
     * jrun's death is end-of-file) and reports a failure on {@code errFd}.
     *
     * @return the child's PID in jrun's namespace
     */
    int spawn(List<Op> ops, long namespaceFlags, int pidFd, int goFd, int goWriterFd, int errFd) throws SysException;

    /**
     * execve(2) with {@code keep} made inheritable first; the signals jrun forwards are blocked
     * in the calling thread so none can end the new program before it installs its handlers.
     * Returns only on failure, with the error.
     */
    SysException exec(String path, List<String> argv, List<String> env, int[] keep);

    /** pidfd_open(2): a descriptor that names this process and no later one with its PID. */
    int pidfdOpen(int pid) throws SysException;

    /** pidfd_send_signal(2); false when the process has ended. */
    boolean pidfdSignal(int pidfd, int signal) throws SysException;

    /** waitpid(2); returns the raw wait status. */
    int waitpid(int pid) throws SysException;

    void kill(int pid, int signal);

    /** Installs handlers that send these signals on to {@code pid} and note them on {@code notifyFd}. */
    void forwardSignals(int pid, int[] signals, int notifyFd) throws SysException;

    /** socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC): two connected ends. */
    int[] socketPair() throws SysException;

    /** Receives one descriptor sent with SCM_RIGHTS on {@code socket}. */
    int receiveFd(int socket) throws SysException;

    /** {rows, cols} of the terminal on {@code fd}, or null if it is not one. */
    int[] windowSize(int fd);

    void setWindowSize(int fd, int rows, int cols);

    boolean isatty(int fd);

    /** Puts the terminal on {@code fd} in raw mode; returns a token that {@link #restoreTerminal} takes. */
    byte[] makeRaw(int fd);

    void restoreTerminal(int fd, byte[] saved);

    String strerror(int errno);

    /** A new descriptor for the same open file (dup(2), close-on-exec). */
    int dup(int fd) throws SysException;

    /** Makes writes to {@code fd} fail with EAGAIN instead of blocking (a signal handler writes to it). */
    void setNonBlocking(int fd) throws SysException;

    /** Whether {@code path} (not following a final symlink) carries the extended attribute {@code name}. */
    boolean hasXattr(String path, String name);

    /**
     * Compiles seccomp rules into the classic-BPF program the kernel loads (libseccomp's
     * seccomp_export_bpf). Nothing is loaded into this process.
     */
    SeccompProgram compileSeccomp(SeccompRules rules) throws SysException;

    /**
     * ioctl(fd, request, &value) for the requests of ioctl_ns(2) (NS_GET_USERNS, NS_GET_NSTYPE,
     * NS_GET_OWNER_UID): {the call's result (a new close-on-exec descriptor, a CLONE_NEW* type,
     * or 0), the 32-bit value it wrote (the owner's UID) or 0}.
     */
    int[] nsIoctl(int fd, long request) throws SysException;

    /**
     * Loads and links what a launch calls, ahead of its first use ({@link SyscallsFactory#preload}
     * does it on a second thread while the command line is parsed). Nothing observable happens.
     */
    default void warmUp() {
    }
}
