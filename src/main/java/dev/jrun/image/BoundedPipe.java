package dev.jrun.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Carries a download from the thread that receives it to the thread that unpacks it, holding at
 * most {@code capacity} bytes: a writer that gets ahead of the unpacker waits (the network is
 * throttled, memory stays bounded), an unpacker that gets ahead waits for bytes.
 *
 * <p>Either side may {@link #fail} the pipe: the other side's next (or pending) read or write then
 * throws instead of blocking forever, and the first failure is kept so the caller can report the
 * cause rather than its echo. {@link java.io.PipedInputStream} is not used: it polls once a
 * second when full or empty and ties itself to the identity of the writing thread.
 */
final class BoundedPipe {
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int queued;
    /** Read position in the first chunk. */
    private int head;
    private boolean eof;
    private Throwable failure;

    BoundedPipe(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive: " + capacity);
        this.capacity = capacity;
    }

    /** The writing end; {@link OutputStream#close()} marks the end of the data. */
    OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                put(b, off, len);
            }

            @Override
            public void close() {
                finish();
            }
        };
    }

    /** The reading end; {@link InputStream#close()} before the end fails the pipe for the writer. */
    InputStream source() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return take(b, off, len);
            }

            @Override
            public int available() {
                lock.lock();
                try {
                    return queued;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void close() {
                lock.lock();
                try {
                    if (!(eof && queued == 0)) {
                        failLocked(new IOException("the unpacker stopped reading before the end of the download"));
                    }
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private void put(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        // One copy: the writer reuses its buffer for the next read from the network.
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        lock.lock();
        try {
            if (eof) throw new IOException("write after the end of the pipe");
            // A chunk larger than the capacity is let through once the pipe is empty.
            while (failure == null && queued > 0 && queued + len > capacity) {
                awaitChange();
            }
            if (failure != null) throw failed();
            chunks.addLast(copy);
            queued += len;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int take(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        lock.lock();
        try {
            while (failure == null && queued == 0 && !eof) {
                awaitChange();
            }
            if (failure != null) throw failed();
            if (queued == 0) return -1;
            int n = 0;
            while (n < len && !chunks.isEmpty()) {
                byte[] first = chunks.peekFirst();
                int take = Math.min(len - n, first.length - head);
                System.arraycopy(first, head, b, off + n, take);
                n += take;
                head += take;
                if (head == first.length) {
                    chunks.removeFirst();
                    head = 0;
                }
            }
            queued -= n;
            changed.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end of the data: the reader gets -1 once it has read what is buffered. */
    void finish() {
        lock.lock();
        try {
            eof = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops both ends: pending and later reads and writes throw an IOException caused by the
     * first failure. Buffered bytes are dropped. Later calls keep the first cause.
     */
    void fail(Throwable cause) {
        lock.lock();
        try {
            failLocked(cause);
        } finally {
            lock.unlock();
        }
    }

    /** The first failure, or null. */
    Throwable failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    private void failLocked(Throwable cause) {
        if (failure == null) failure = cause;
        chunks.clear();
        queued = 0;
        head = 0;
        changed.signalAll();
    }

    private IOException failed() {
        return new IOException(String.valueOf(failure.getMessage()), failure);
    }

    private void awaitChange() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting on the download pipe");
            failLocked(io);
            throw io;
        }
    }
}
