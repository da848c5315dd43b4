package dev.jrun.runtime;

import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * With -t the container has its own pseudo-terminal; jrun copies between it and its own
 * terminal, which it puts in raw mode so keys (^C too) reach the container unchanged.
 */
final class TtyRelay {
    private final Syscalls sys;
    private final byte[] savedTerminal;
    private final Thread output;

    private TtyRelay(Syscalls sys, byte[] savedTerminal, Thread output) {
        this.sys = sys;
        this.savedTerminal = savedTerminal;
        this.output = output;
    }

    static TtyRelay start(Syscalls sys, int master) throws SysException {
        byte[] saved = sys.isatty(0) ? sys.makeRaw(0) : null;
        // The input thread may still be blocked reading our stdin when the container is gone:
        // it writes to a descriptor of its own, so it can never write into a reused number.
        int inputMaster = sys.dup(master);
        // jrun's own stdout and stdin are used without being closed (no try-with-resources).
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        FileInputStream in = new FileInputStream(FileDescriptor.in);
        Thread output = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                while (true) {
                    int n = sys.read(master, buf);
                    if (n <= 0) break;
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SysException | IOException e) {
                // EIO: the container's side of the terminal is closed
            }
        }, "jrun-tty-out");
        output.start();
        Thread input = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    byte[] chunk = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
                    sys.write(inputMaster, chunk);
                }
            } catch (SysException | IOException e) {
                // the container is gone
            } finally {
                sys.close(inputMaster);
            }
        }, "jrun-tty-in");
        input.setDaemon(true);
        input.start();
        return new TtyRelay(sys, saved, output);
    }

    /** After the container ended: drain what it wrote, give the terminal back as it was. */
    void finish() {
        try {
            output.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sys.restoreTerminal(0, savedTerminal);
    }
}
