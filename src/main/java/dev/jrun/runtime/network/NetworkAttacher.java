package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Syscalls;
import java.util.List;

/**
 * Connects a new container's network namespace to the host's network: called after the
 * container's ID maps are written (the helper joins its user namespace) and before it is
 * released to run its command (which must find the network configured).
 */
@FunctionalInterface
public interface NetworkAttacher {
    /** Attaches nothing (unit tests, modes without a helper). */
    NetworkAttacher NONE = (mode, ports, pid) -> Attachment.NOTHING;

    /**
     * @param pid the container's first process, in jrun's PID namespace
     * @param ports published ports, host ports already chosen
     */
    Attachment attach(NetworkMode mode, List<PortMapping> ports, int pid) throws JrunException;

    /** The real helpers: pasta(1) and slirp4netns(1). */
    static NetworkAttacher helpers(Syscalls sys) {
        return (mode, ports, pid) -> {
            if (mode instanceof NetworkMode.Pasta p) return PastaHelper.attach(sys, p, ports, pid);
            if (mode instanceof NetworkMode.Slirp4netns s) return Slirp4netnsHelper.attach(sys, s, ports, pid);
            return Attachment.NOTHING;
        };
    }
}
