package dev.jrun.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that must see every byte read through it (to hash, count, copy or inspect them):
 * skip() reads instead of seeking past data, and there is no mark/reset, which would show
 * bytes twice. Subclasses only say what to do with each chunk.
 */
public abstract class ObservedInputStream extends FilterInputStream {
    private static final int SKIP_BUFFER = 64 * 1024;

    protected ObservedInputStream(InputStream in) {
        super(in);
    }

    /** Called with every chunk as it is read, in order. */
    protected abstract void observe(byte[] b, int off, int len) throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) observe(b, off, n);
        return n;
    }

    @Override
    public final long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(Math.max(n, 1), SKIP_BUFFER)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) break;
            skipped += r;
        }
        return skipped;
    }

    @Override
    public final boolean markSupported() {
        return false;
    }

    @Override
    public final synchronized void mark(int readlimit) {
        // not supported: see markSupported
    }

    @Override
    public final synchronized void reset() throws IOException {
        throw new IOException("mark/reset is not supported: every byte is observed once");
    }
}
