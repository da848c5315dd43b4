package dev.jrun.runtime.network;

import java.util.List;

/**
 * A network helper that jrun-monitor forks before it clones the container, and so owns: it dies
 * with the monitor (PR_SET_PDEATHSIG), also when the monitor is killed, and the monitor SIGKILLs it
 * when the container has ended. It starts when the JVM writes the container's PID (4 bytes, native
 * order) on {@code startFd}'s pipe; the monitor appends that PID to {@code argv}.
 *
 * @param argv    the helper's command line without the PID; argv[0] an absolute path
 * @param fds     this JVM's descriptors the helper gets as 2, 3, ...
 * @param startFd the read end of the pipe the PID comes on
 */
public record HelperLaunch(List<String> argv, List<Integer> fds, int startFd) {
    public HelperLaunch {
        argv = List.copyOf(argv);
        fds = List.copyOf(fds);
    }
}
