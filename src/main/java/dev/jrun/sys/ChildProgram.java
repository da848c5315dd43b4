package dev.jrun.sys;

import static dev.jrun.sys.Linux.O_RDWR;
import static dev.jrun.sys.Linux.SIGKILL;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A host program (newuidmap, pasta, slirp4netns) started by jrun's own spawn primitive rather
 * than {@link ProcessBuilder}: it gets exactly the descriptors it is given (stdin /dev/null,
 * stdout /dev/null or the output pipe, stderr the output pipe, then {@code childFds} as 3, 4,
 * ...) and nothing of the JVM's. It is also cheaper on the launch path: the spawn primitive is
 * loaded and linked already, where a first ProcessBuilder loads its classes, starts a reaper
 * thread and execs the JDK's jspawnhelper before the program.
 */
public final class ChildProgram {
    /** A running program: its PID (the caller reaps it) and the read end of its output pipe (the caller closes it). */
    public record Started(int pid, int output) {}

    private ChildProgram() {}

    /**
     * Starts {@code argv} (argv[0] an absolute path) and returns once it has exec'd.
     *
     * @param stdoutToo whether stdout goes to the output pipe too (else to /dev/null)
     * @param dieWithParent PR_SET_PDEATHSIG(SIGKILL): prctl(2) sends it when the calling
     *     <em>thread</em> ends, not the process
     * @throws SysException naming the step that failed (e.g. the exec, with ENOENT)
     */
    public static Started start(Syscalls sys, List<String> argv, List<Integer> childFds, boolean stdoutToo,
                                boolean dieWithParent) throws SysException {
        List<Integer> opened = new ArrayList<>();
        try {
            int devNull = track(sys.open("/dev/null", O_RDWR), opened);
            int[] output = pipe(sys, opened);
            int[] pidPipe = pipe(sys, opened);
            int[] goPipe = pipe(sys, opened);
            int[] errPipe = pipe(sys, opened);
            // No ID maps to wait for: the go byte is in the pipe before the child reads it
            // (spawn returns only once the child has exec'd, so nobody could write it later).
            sys.write(goPipe[1], new byte[] {1});

            List<Integer> sources = new ArrayList<>(List.of(devNull, stdoutToo ? output[1] : devNull, output[1]));
            sources.addAll(childFds);
            int highest = sources.stream().mapToInt(Integer::intValue).max().orElse(2);
            for (int fd : opened) highest = Math.max(highest, fd);
            // Copies go above everything first, so no target (0, 1, 2, 3, ...) overwrites a
            // source not yet copied; then into place; then the copies are closed.
            int base = Math.max(highest + 1, sources.size() + 8);
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) ops.add(new Op.Dup2(sources.get(i), base + i));
            for (int i = 0; i < sources.size(); i++) ops.add(new Op.Dup2(base + i, i));
            ops.add(new Op.CloseRange(base, base + sources.size() - 1L));
            if (dieWithParent) ops.add(new Op.ParentDeathSignal(SIGKILL));
            // A fixed PATH, not the caller's: the setuid helpers and network helpers are named
            // by absolute path, and whatever they run in turn should not come from the caller's.
            ops.add(new Op.Exec(List.of(argv.get(0)), argv,
                    List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")));

            int pid = sys.spawn(ops, 0, pidPipe[1], goPipe[0], goPipe[1], errPipe[1]);
            sys.close(errPipe[1]);
            opened.remove((Integer) errPipe[1]);
            byte[] report = new byte[8];
            int reported;
            try {
                reported = sys.readFully(errPipe[0], report);
            } catch (SysException e) {
                // Whether it exec'd is unknown: end it rather than leave it running unreaped.
                sys.kill(pid, SIGKILL);
                reap(sys, pid);
                throw e;
            }
            if (reported == 8) {
                ByteBuffer b = ByteBuffer.wrap(report).order(ByteOrder.nativeOrder());
                int index = b.getInt();
                int errno = b.getInt();
                reap(sys, pid);
                String step = index >= 0 && index < ops.size() ? ops.get(index).describe() : "set up";
                throw new SysException(step, errno, sys.strerror(errno));
            }
            opened.remove((Integer) output[0]);
            return new Started(pid, output[0]);
        } finally {
            for (int fd : opened) sys.close(fd);
        }
    }

    private static void reap(Syscalls sys, int pid) {
        try {
            sys.waitpid(pid);
        } catch (SysException ignored) {
            // already reaped
        }
    }

    /** Whether a failed start means the program is missing or not executable (the exec said so). */
    public static boolean notInstalled(SysException e) {
        return e.errno() == Linux.ENOENT || e.errno() == Linux.EACCES;
    }

    private static int[] pipe(Syscalls sys, List<Integer> opened) throws SysException {
        int[] p = sys.pipe();
        opened.add(p[0]);
        opened.add(p[1]);
        return p;
    }

    private static int track(int fd, List<Integer> opened) {
        opened.add(fd);
        return fd;
    }
}
