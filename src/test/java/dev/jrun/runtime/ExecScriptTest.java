package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.seccomp.SeccompFilter;
import dev.jrun.sys.Op;
import dev.jrun.sys.SeccompProgram;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The script of a process entering a container: the container's keyring rule and filter. */
class ExecScriptTest {
    private static final SeccompFilter FILTER =
            new SeccompFilter(new SeccompProgram(new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f}), "test");

    private static List<Op> script(ProcessIdentity id) {
        ExecPlan plan = new ExecPlan(0, id, true, List.of(21), "/", List.of("/bin/sh"), List.of("sh"), List.of(),
                StdioMode.NO_STDIN, new ContainerSecurity(Optional.of(FILTER), false, List.of()));
        return ExecScript.compile(plan, new ContainerScript.Descriptors(7, 8, 150, 200, null), 160, 161);
    }

    @Test
    void aProcessEnteringTheContainerLeavesTheCallersKeyringAndGetsTheFilterLast() {
        List<Op> ops = script(new ProcessIdentity(0, 0, List.of(), "/root"));
        int setns = ops.indexOf(ops.stream().filter(o -> o instanceof Op.SetNs).findFirst().orElseThrow());
        int keyring = ops.indexOf(new Op.JoinSessionKeyring());
        // In the container's user namespace, so the keyring is the container root's, and once.
        assertTrue(keyring > setns, ops.toString());
        assertEquals(1, ops.stream().filter(o -> o instanceof Op.JoinSessionKeyring).count());
        int n = ops.size();
        assertInstanceOf(Op.Exec.class, ops.get(n - 1));
        assertEquals(new Op.Seccomp(FILTER.program(), "test"), ops.get(n - 2));
        assertTrue(keyring < n - 2);
    }
}
