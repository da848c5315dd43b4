package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Syscalls;
import java.util.List;

/**
 * Connects a new container's network namespace to the host's network, in two steps around the
 * container's start under jrun-monitor: {@link #prepare} before the monitor starts (what the
 * monitor must hold for the container's whole life), then {@link Pending#attach} after the
 * container's ID maps are written (the helper joins its user namespace) and before it is
 * released to run its command (which must find the network configured).
 */
@FunctionalInterface
public interface NetworkAttacher {
    /** Attaches nothing (tests, modes without a helper). */
    NetworkAttacher NONE = (mode, ports) -> Pending.NOTHING;

    /** @param ports the published ports, their host ports chosen */
    Pending prepare(NetworkMode mode, List<PortMapping> ports) throws JrunException;

    /** One container's network between prepare and attach. */
    interface Pending extends AutoCloseable {
        Pending NOTHING = new Pending() {
            @Override
            public List<Integer> monitorHolds() {
                return List.of();
            }

            @Override
            public void attach(List<PortMapping> ports, int pid) {}

            @Override
            public void abort() {}

            @Override
            public void close() {}
        };

        /**
         * Descriptors the container's monitor holds until it ends (slirp4netns's --exit-fd write
         * end): the helper ends when they close, also when the monitor is killed.
         */
        List<Integer> monitorHolds();

        /** A helper the container's monitor forks and owns (pasta), started by {@link #attach}. */
        default java.util.Optional<HelperLaunch> monitorStarts() {
            return java.util.Optional.empty();
        }

        /** Starts the helper for the container's first process {@code pid} (jrun's PID namespace). */
        void attach(List<PortMapping> ports, int pid) throws JrunException;

        /** The container never ran: end the helper if it started. */
        void abort();

        /** Releases this JVM's own copies (the monitor keeps its own). */
        @Override
        void close();
    }

    /** The real helpers: pasta(1) and slirp4netns(1). */
    static NetworkAttacher helpers(Syscalls sys) {
        return (mode, ports) -> {
            if (mode instanceof NetworkMode.Pasta p) return PastaHelper.prepare(sys, p, ports);
            if (mode instanceof NetworkMode.Slirp4netns s) return Slirp4netnsHelper.prepare(sys, s);
            return Pending.NOTHING;
        };
    }
}
