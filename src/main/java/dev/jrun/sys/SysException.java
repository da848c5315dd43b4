package dev.jrun.sys;

/** A system call failed; {@link #errno()} says why. */
public final class SysException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SysException(String call, int errno, String reason) {
        super(call + ": " + reason);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
