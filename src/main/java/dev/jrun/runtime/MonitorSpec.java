package dev.jrun.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the container's monitor does besides being its parent.
 *
 * @param attached    relay the container's streams to and from {@code relay} (a foreground run:
 *                    jrun's own; a library's exec: pipes the JVM reads); otherwise only to the log
 * @param log         the k8s-file log, if any
 * @param exitFile    where the exit status goes, if anywhere
 * @param cleanup     a command to run when the container has ended, as root of its user
 *                    namespace (the removal of a --rm container); empty for none
 * @param stopTimeoutSeconds after a stop signal, SIGKILL this long after
 * @param watchParent the container ends when the JVM that started it ends (a library user's)
 * @param held        descriptors of this JVM the monitor keeps open exactly as long as the
 *                    container runs (e.g. the write end of slirp4netns's --exit-fd pipe), then closes
 * @param relay       the JVM's descriptors an attached monitor relays to and from
 * @param cleanupOnlyIfParentGone run {@code cleanup} only when the JVM ended first (a library's
 *                    container: the JVM removes it itself, but must not leave it behind on kill -9)
 * @param joins       namespaces the monitor enters, in order, before it clones the container
 *                    (--network container:, ns:); their descriptors stay the caller's
 * @param helper      a network helper the monitor forks before the container and owns (pasta)
 */
public record MonitorSpec(boolean attached, Optional<Path> log, Optional<Path> exitFile, List<String> cleanup,
                          int stopTimeoutSeconds, boolean watchParent, List<Integer> held, Relay relay,
                          boolean cleanupOnlyIfParentGone, List<Join> joins,
                          Optional<dev.jrun.runtime.network.HelperLaunch> helper) {
    public MonitorSpec {
        cleanup = List.copyOf(cleanup);
        held = List.copyOf(held);
        joins = List.copyOf(joins);
    }

    /** Nothing joined, no helper of the monitor's own. */
    public MonitorSpec(boolean attached, Optional<Path> log, Optional<Path> exitFile, List<String> cleanup,
                       int stopTimeoutSeconds, boolean watchParent, List<Integer> held, Relay relay,
                       boolean cleanupOnlyIfParentGone, List<Join> joins) {
        this(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, held, relay, cleanupOnlyIfParentGone,
                joins, Optional.empty());
    }

    /** The same, with a network helper the monitor forks and owns (pasta). */
    public MonitorSpec starting(Optional<dev.jrun.runtime.network.HelperLaunch> launch) {
        return new MonitorSpec(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, held, relay,
                cleanupOnlyIfParentGone, joins, launch.or(() -> helper));
    }

    /** Nothing joined: the container's namespaces are all new. */
    public MonitorSpec(boolean attached, Optional<Path> log, Optional<Path> exitFile, List<String> cleanup,
                       int stopTimeoutSeconds, boolean watchParent, List<Integer> held, Relay relay,
                       boolean cleanupOnlyIfParentGone) {
        this(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, held, relay, cleanupOnlyIfParentGone,
                List.of());
    }

    /**
     * setns(2) of {@code fd} (a namespace file or a pidfd) for the CLONE_NEW* {@code types}.
     * {@link #what} names it in an error.
     */
    public record Join(int fd, long types, String what) {}

    /** The same, entering {@code more} before the container is cloned. */
    public MonitorSpec joining(List<Join> more) {
        List<Join> all = new java.util.ArrayList<>(joins);
        all.addAll(more);
        return new MonitorSpec(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, held, relay,
                cleanupOnlyIfParentGone, all, helper);
    }

    /** Whether the monitor enters an existing user namespace (the container then gets no new one). */
    public boolean joinsUserNamespace() {
        return joins.stream().anyMatch(j -> (j.types() & dev.jrun.sys.Linux.CLONE_NEWUSER) != 0);
    }

    /** Attached to jrun's own standard streams (or not attached), cleanup always, nothing held. */
    public MonitorSpec(boolean attached, Optional<Path> log, Optional<Path> exitFile, List<String> cleanup,
                       int stopTimeoutSeconds, boolean watchParent) {
        this(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, List.of(), Relay.CALLER, false);
    }

    /** The same, also holding {@code fds} for the container's lifetime. */
    public MonitorSpec holding(List<Integer> fds) {
        List<Integer> all = new java.util.ArrayList<>(held);
        all.addAll(fds);
        return new MonitorSpec(attached, log, exitFile, cleanup, stopTimeoutSeconds, watchParent, all, relay,
                cleanupOnlyIfParentGone, joins, helper);
    }

    /**
     * The JVM's descriptors for the container's stdin, stdout and stderr. The monitor gets
     * copies; the caller keeps and closes its own.
     */
    public record Relay(int stdin, int stdout, int stderr) {
        /** jrun's own 0, 1 and 2: the command line's terminal or pipes. */
        public static final Relay CALLER = new Relay(0, 1, 2);
    }

    /** Attached, nothing recorded: a foreground `run --rm --rootfs`, the fastest way through. */
    public static MonitorSpec attachedOnly(int stopTimeoutSeconds) {
        return new MonitorSpec(true, Optional.empty(), Optional.empty(), List.of(), stopTimeoutSeconds, false);
    }
}
