package dev.jrun.api;

import dev.jrun.container.ContainerLogs;
import dev.jrun.container.Containers;
import dev.jrun.errors.JrunException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/** Hands a container's log lines to a consumer from a thread of its own, as `jrun logs -f`; close() stops it. */
public final class LogFollower implements AutoCloseable {
    private final Thread thread;
    private volatile JrunException failure;

    LogFollower(Jrun jrun, String id, Consumer<String> lines) {
        thread = new Thread(() -> {
            Images.LineSplitter splitter = new Images.LineSplitter(lines);
            PrintStream out = new PrintStream(splitter, true, StandardCharsets.UTF_8);
            try {
                Containers containers = new Containers(jrun.engine());
                new ContainerLogs(containers).print(containers.find(id),
                        new ContainerLogs.Options(-1, false, Optional.empty(), true), out, out);
            } catch (JrunException e) {
                failure = e;
            } finally {
                splitter.close();
            }
        }, "jrun-logs-" + id.substring(0, 12));
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until the container has ended and every line is handed on. */
    public void awaitEnd() throws InterruptedException {
        thread.join();
        if (failure != null) throw JrunApiException.of(failure);
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
