package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.sys.Op;
import java.util.List;

/** The steps that give a container's process its terminal or its pipes: shared by run and exec. */
final class StdioScript {
    private StdioScript() {}

    /**
     * The terminal comes from the container's own devpts, so its name resolves inside
     * (tty(1), /proc/self/fd/0 -> /dev/pts/0) as with podman; the master side goes to the monitor.
     */
    static void newTerminal(List<Op> ops, int master, int terminal, ContainerScript.Descriptors fds) {
        ops.add(new Op.OpenAt2(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0, master));
        ops.add(new Op.Ioctl(master, TIOCSPTLCK, 0, new byte[4], 0, "unlock the new terminal"));
        ops.add(new Op.Ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY, null, terminal, "open the new terminal"));
        if (fds.windowSize() != null) {
            byte[] winsize = new byte[8];   // struct winsize: rows, cols, xpixel, ypixel (native shorts)
            winsize[0] = (byte) fds.windowSize()[0];
            winsize[1] = (byte) (fds.windowSize()[0] >> 8);
            winsize[2] = (byte) fds.windowSize()[1];
            winsize[3] = (byte) (fds.windowSize()[1] >> 8);
            ops.add(new Op.Ioctl(terminal, TIOCSWINSZ, 0, winsize, 0, "size the new terminal"));
        }
        ops.add(new Op.SendFd(fds.ttySocket(), master, "the terminal"));
        ops.add(new Op.Close(master));
    }

    static void connect(List<Op> ops, StdioMode mode, int terminal, ContainerScript.Descriptors fds) {
        // Always a session of its own: in jrun's session the container could push keystrokes
        // into the caller's shell with TIOCSTI on the shared terminal (bubblewrap's
        // CVE-2017-5226). jrun forwards ^C and friends, so nothing is lost.
        ops.add(new Op.SetSid());
        if (mode.tty()) {
            // The new terminal becomes the controlling tty, so job control and ^C work inside.
            for (int fd = 0; fd <= 2; fd++) ops.add(new Op.Dup2(terminal, fd));
            ops.add(new Op.Ioctl(0, TIOCSCTTY, 0, null, 0, "make the new terminal the controlling terminal"));
        } else {
            if (fds.stdin() >= 0) ops.add(new Op.Dup2(fds.stdin(), 0));
            if (fds.stdout() >= 0) ops.add(new Op.Dup2(fds.stdout(), 1));
            if (fds.stderr() >= 0) ops.add(new Op.Dup2(fds.stderr(), 2));
        }
    }
}
