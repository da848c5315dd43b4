package dev.jrun.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A shared/exclusive lock over one lock file, held across processes (fcntl record locks via
 * {@link FileChannel#lock}) and across threads of this JVM. Java's file locks are per process
 * and throw {@code OverlappingFileLockException} when two threads of one JVM lock the same file,
 * so threads are coordinated here first and the file lock is taken once per JVM for all
 * holders of the same kind. The channel stays open for the JVM's life: closing any descriptor of
 * a file drops all of the process's fcntl locks on it (fcntl(2), "the locks are released").
 * Holds are not bound to threads, so a pull may release on another thread.
 */
final class StoreLock {

    private static final ConcurrentHashMap<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private FileChannel channel;
    private FileLock fileLock;
    private int readers;
    private boolean writer;

    private StoreLock(Path file) {
        this.file = file;
    }

    static StoreLock of(Path file) {
        return LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), StoreLock::new);
    }

    /** A held lock; closing releases it. */
    interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    Hold shared() throws IOException {
        synchronized (this) {
            while (writer) {
                waitForTurn();
            }
            if (readers == 0) {
                // Blocks while another process holds it exclusively; threads of this JVM wait above.
                fileLock = channel().lock(0, Long.MAX_VALUE, true);
            }
            readers++;
        }
        return releasedOnce(() -> {
            if (--readers == 0) {
                releaseFileLock();
            }
        });
    }

    /** A hold whose release runs once, under this lock, and wakes the threads waiting for a turn. */
    private Hold releasedOnce(Runnable release) {
        return new Hold() {
            private boolean released;

            @Override
            public void close() {
                synchronized (StoreLock.this) {
                    if (released) {
                        return;
                    }
                    released = true;
                    release.run();
                    StoreLock.this.notifyAll();
                }
            }
        };
    }

    Hold exclusive() throws IOException {
        synchronized (this) {
            while (writer || readers > 0) {
                waitForTurn();
            }
            writer = true;
        }
        try {
            FileLock lock = channel().lock(0, Long.MAX_VALUE, false);
            synchronized (this) {
                fileLock = lock;
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                writer = false;
                notifyAll();
            }
            throw e;
        }
        return releasedOnce(() -> {
            releaseFileLock();
            writer = false;
        });
    }

    private synchronized FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    private void releaseFileLock() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            // The channel stays open; a lock we cannot release is released at process exit.
        } finally {
            fileLock = null;
        }
    }

    private void waitForTurn() throws java.io.InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the store lock " + file);
        }
    }
}
