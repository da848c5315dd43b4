package dev.jrun.api;

import dev.jrun.container.ContainerRunner;
import dev.jrun.container.Engine;
import dev.jrun.sys.SysException;

/**
 * Waits for a container's monitor, this JVM's child, so that it never lingers as a zombie
 * once the container has ended (wait(2)); and holds the pipe whose closing tells the monitor
 * that this JVM is gone.
 */
final class Reaper {
    private final Engine engine;
    private final int parentFd;
    private final Thread thread;

    Reaper(Engine engine, ContainerRunner.Launched launched) {
        this.engine = engine;
        this.parentFd = launched.parentFd();
        this.thread = new Thread(() -> {
            try {
                engine.sys().waitpid(launched.monitorPid());
            } catch (SysException e) {
                // not our child any more: nothing to reap
            }
        }, "jrun-reaper-" + launched.id().substring(0, 12));
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The container has been removed (or is kept): closing the pipe now changes nothing for a
     * removed one and, for a kept one, there is none. Waits briefly for the monitor to exit.
     */
    void release(boolean kept) {
        if (parentFd >= 0) engine.sys().close(parentFd);
        if (kept) return;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
