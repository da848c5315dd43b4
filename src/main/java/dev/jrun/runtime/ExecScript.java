package dev.jrun.runtime;

import dev.jrun.sys.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's script for `jrun exec`: join the container, become a process of its PID
 * namespace, take the identity and limits of its processes, exec. Read top to bottom.
 */
public final class ExecScript {
    private ExecScript() {}

    /**
     * @param pidfd     the container's main process (a pidfd checked against its start time)
     * @param mainPidFd where the forked process's PID goes, for the monitor to wait on
     */
    public static List<Op> compile(ExecPlan plan, ContainerScript.Descriptors fds, int pidfd, int mainPidFd) {
        List<Op> ops = new ArrayList<>();
        // 1. Nothing of the JVM's or the monitor's may reach the container (CVE-2024-21626).
        ops.addAll(ContainerScript.closeAllBut(fds.errFd(), fds.stdin(), fds.stdout(), fds.stderr(), fds.ttySocket(),
                pidfd, mainPidFd));

        // 2. All of the container's namespaces at once through its pidfd (setns(2), Linux 5.8):
        //    the user namespace first, as the kernel orders them, so we are its root for the
        //    others; the mount namespace puts us at its root, the container's pivoted root.
        ops.add(new Op.SetNs(pidfd, plan.namespaces(), "the container's namespaces"));
        ops.add(new Op.Close(pidfd));
        // A session keyring of its own, as runc exec gives: the one inherited from the caller of
        // `jrun exec` holds the caller's keys (keyrings(7)); see ContainerScript step 1.
        ops.add(new Op.JoinSessionKeyring());

        // 3. setns(CLONE_NEWPID) places only children in the namespace: fork, and carry on in
        //    the child. The parent exits; the child, orphaned, goes to the monitor (subreaper).
        ops.add(new Op.Fork(mainPidFd));
        ops.add(new Op.Close(mainPidFd));

        // 4. Its terminal or pipes, as the container's own processes get them.
        int terminal = -1;
        if (plan.stdio().tty()) {
            int master = fds.firstFreeSlot();
            terminal = master + 1;
            StdioScript.newTerminal(ops, master, terminal, fds);
        }
        StdioScript.connect(ops, plan.stdio(), terminal, fds);

        // 5. The container's limits: the capabilities its processes lost stay lost (capabilities(7)).
        for (int cap : plan.droppedCapabilities()) ops.add(new Op.CapBsetDrop(cap));
        ops.add(new Op.Chdir(plan.workdir()));
        // The container's user and seccomp filter. No parent-death signal: our parent (the
        // forking step) exits at once by design; the process ends with the container's PID 1
        // like every process of its namespace.
        ContainerScript.becomeUser(ops, plan.identity(), plan.setgroupsAllowed(), plan.security(), false);
        ops.add(new Op.Exec(plan.executableCandidates(), plan.argv(), plan.env()));
        return List.copyOf(ops);
    }
}
