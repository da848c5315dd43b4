package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Held by the jrun that runs a container, for as long as it runs: the kernel drops the lock
 * when that jrun dies, however it dies, so a container area whose lock is free is a leftover
 * that {@code jrun container prune} may remove.
 */
final class ContainerLock implements AutoCloseable {
    private static final String FILE = "running.lock";

    private final FileChannel channel;

    private ContainerLock(FileChannel channel) {
        this.channel = channel;
    }

    static ContainerLock hold(Path containerDir) throws JrunException {
        try {
            FileChannel channel = FileChannel.open(containerDir.resolve(FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            channel.lock();
            return new ContainerLock(channel);
        } catch (IOException e) {
            throw new JrunException("lock the container area " + containerDir + ": " + e.getMessage(), e);
        }
    }

    /** Whether a live jrun runs the container in {@code containerDir}. */
    static boolean inUse(Path containerDir) {
        Path file = containerDir.resolve(FILE);
        if (!Files.exists(file)) return false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (IOException e) {
            return true;   // cannot tell: keep it
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing releases the lock; nothing else to do
        }
    }
}
