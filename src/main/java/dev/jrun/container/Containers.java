package dev.jrun.container;

import static dev.jrun.sys.Linux.SIGKILL;

import dev.jrun.errors.JrunException;
import dev.jrun.store.ContainerArea;
import dev.jrun.store.ContainerRecord;
import dev.jrun.store.ContainerStore;
import dev.jrun.store.HostProcesses;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The life of containers after `run`: list, stop, kill, wait, remove. */
public final class Containers {
    /** podman rm's status when a container is running and -f was not given. */
    public static final int RUNNING_WITHOUT_FORCE = 2;

    private final Engine engine;

    public Containers(Engine engine) {
        this.engine = engine;
    }

    private ContainerStore store() throws JrunException {
        return engine.store().containers();
    }

    public ContainerStatus find(String nameOrId) throws JrunException {
        return status(store().find(nameOrId));
    }

    public ContainerStatus status(ContainerArea area) throws JrunException {
        ContainerStore store = store();
        return ContainerStatus.of(area, store.state(area), store.exit(area));
    }

    /** Oldest first; only running ones unless {@code all}. */
    public List<ContainerStatus> list(boolean all) throws JrunException {
        List<ContainerStatus> out = new ArrayList<>();
        for (ContainerRecord r : store().records()) {
            ContainerStatus s = status(store().area(r));
            if (all || s.running()) out.add(s);
        }
        return out;
    }

    public ProcessDefaults defaults(ContainerStatus c) throws JrunException {
        if (c.area().record().config() == null) {
            throw new JrunException("container " + c.name() + " has no recorded configuration (it never started); "
                    + "remove it with jrun rm " + c.name());
        }
        return Json.read(c.area().record().config(), ProcessDefaults.class, "container " + c.name());
    }

    /**
     * Sends {@code signal} to the container's main process. Through a pidfd checked against
     * the recorded start time, so a PID that was reused by another process is never signalled.
     * Returns false when the container is not running.
     */
    public boolean kill(ContainerStatus c, int signal) throws JrunException {
        java.util.Optional<Integer> opened = openMainProcess(c);
        if (opened.isEmpty()) return false;
        Syscalls sys = engine.sys();
        int pidfd = opened.get();
        try {
            return sys.pidfdSignal(pidfd, signal);
        } catch (SysException e) {
            throw new JrunException("send signal " + signal + " to container " + c.name() + ": " + e.getMessage(), e);
        } finally {
            sys.close(pidfd);
        }
    }

    /**
     * A pidfd of the container's main process, for signals and setns(2); empty when it is not
     * running. Checked after the pidfd exists: the pidfd names one process for good (pidfd_open(2):
     * it never refers to a later process that reuses the PID), and the
     * recorded start time says it is the container's, not a later one that reused its PID. The
     * caller closes it.
     */
    public java.util.Optional<Integer> openMainProcess(ContainerStatus c) {
        if (!c.running()) return java.util.Optional.empty();
        Syscalls sys = engine.sys();
        int pid = c.state().get().pid();
        int pidfd;
        try {
            pidfd = sys.pidfdOpen(pid);
        } catch (SysException e) {
            return java.util.Optional.empty();   // gone since we looked
        }
        if (HostProcesses.startTime(pid) != c.state().get().pidStart()) {
            sys.close(pidfd);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(pidfd);
    }

    /**
     * podman stop: the container's stop signal, then SIGKILL once {@code timeoutSeconds} have
     * passed; returns once its monitor has recorded the end.
     */
    public void stop(ContainerStatus c, int timeoutSeconds) throws JrunException {
        if (!c.running()) return;
        kill(c, defaults(c).stopSignal());
        if (!awaitEnd(c, Duration.ofSeconds(timeoutSeconds))) {
            kill(status(c.area()), SIGKILL);
            if (!awaitEnd(c, Duration.ofSeconds(30))) {
                throw new JrunException("container " + c.name() + " did not end after SIGKILL within 30 seconds; "
                        + "look at its processes with ps -ef");
            }
        }
    }

    /** Waits for the container to end and returns its exit code (-1 if no one recorded it). */
    public int waitFor(ContainerStatus c) throws JrunException {
        while (true) {
            ContainerStatus now = status(c.area());
            if (!now.running() && now.kind() != ContainerStatus.Kind.CREATED) {
                awaitMonitor(now, Duration.ofSeconds(5));
                now = status(c.area());
                return now.exitCode() == null ? -1 : now.exitCode();
            }
            if (now.kind() == ContainerStatus.Kind.CREATED && !java.nio.file.Files.exists(c.area().dir())) {
                throw new JrunException("container " + c.name() + " was removed while waiting for it");
            }
            sleep(50);
        }
    }

    /** True once the main process has ended and its monitor has finished recording it. */
    private boolean awaitEnd(ContainerStatus c, Duration timeout) throws JrunException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!java.nio.file.Files.exists(c.area().dir())) return true;   // --rm: removed by its monitor
            ContainerStatus now = status(c.area());
            if (!now.running()) {
                awaitMonitor(now, Duration.ofSeconds(5));
                return true;
            }
            sleep(20);
        }
        return false;
    }

    /** The monitor writes the exit status (and runs --rm's cleanup) just after the end. */
    private void awaitMonitor(ContainerStatus c, Duration timeout) {
        if (c.state().isEmpty()) return;
        int monitor = c.state().get().monitorPid();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)
                && c.state().get().bootId().equals(HostProcesses.bootId())
                && ProcessHandle.of(monitor).map(ProcessHandle::isAlive).orElse(false)
                && ProcessHandle.of(monitor).flatMap(p -> p.info().command()).map(cmd -> cmd.contains("jrun-monitor"))
                .orElse(false)) {
            sleep(20);
        }
    }

    /** podman rm: refused while running unless {@code force}, which kills it first. */
    public void remove(ContainerStatus c, boolean force) throws JrunException {
        if (c.running()) {
            if (!force) {
                throw new JrunException(RUNNING_WITHOUT_FORCE, "cannot remove container " + c.name() + " as it is "
                        + "running - running or paused containers cannot be removed without force: container state "
                        + "improper (jrun stop " + c.name() + ", or jrun rm -f)", null);
            }
            kill(c, SIGKILL);
            if (!awaitEnd(c, Duration.ofSeconds(30))) {
                throw new JrunException("container " + c.name() + " did not end after SIGKILL within 30 seconds");
            }
        } else {
            awaitMonitor(c, Duration.ofSeconds(5));
        }
        store().remove(c.id());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
