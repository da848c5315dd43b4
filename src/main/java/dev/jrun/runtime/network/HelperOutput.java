package dev.jrun.runtime.network;

import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.nio.charset.StandardCharsets;

/**
 * The last lines a network helper wrote, for error messages: a daemon thread reads its pipe
 * until the helper ends (end of file), keeps the last {@value #LIMIT} characters and closes it.
 */
final class HelperOutput {
    static final int LIMIT = 8192;

    private final StringBuilder text = new StringBuilder();
    private final Thread reader;

    private HelperOutput(Syscalls sys, int fd, String threadName) {
        reader = new Thread(() -> read(sys, fd), threadName);
        reader.setDaemon(true);
    }

    /** Starts reading {@code fd}, which it closes when the helper has ended. */
    static HelperOutput drain(Syscalls sys, int fd, String threadName) {
        HelperOutput out = new HelperOutput(sys, fd, threadName);
        out.reader.start();
        return out;
    }

    private void read(Syscalls sys, int fd) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = sys.read(fd, buf)) > 0) append(new String(buf, 0, n, StandardCharsets.UTF_8));
        } catch (SysException e) {
            // the helper is gone
        } finally {
            sys.close(fd);
        }
    }

    /** Adds {@code s}, e.g. a note of jrun's about the helper. */
    void append(String s) {
        synchronized (text) {
            text.append(s);
            if (text.length() > LIMIT) text.delete(0, text.length() - LIMIT);
        }
    }

    /** What it wrote so far. */
    String text() {
        synchronized (text) {
            return text.toString().strip();
        }
    }

    /** What it wrote, once it ended (or after {@code millis}). */
    String textAfterEnd(long millis) {
        try {
            reader.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return text();
    }
}
