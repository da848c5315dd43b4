package dev.jrun.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real libseccomp2: what it exports is a program the kernel would take. */
class LibSeccompTest {
    private static final int BPF_LD_W_ABS = 0x20;
    private static final int BPF_RET_K = 0x06;

    @Test
    void exportsAClassicBpfProgramThatChecksTheArchitectureFirst() throws Exception {
        SeccompRules rules = new SeccompRules(SeccompRules.errno(38), List.of("x86", "x32"), List.of(
                new SeccompRules.Rule("read", SeccompRules.ACT_ALLOW, List.of()),
                new SeccompRules.Rule("socket", SeccompRules.errno(22),
                        List.of(new SeccompRules.Condition(0, 4, 16, 0), new SeccompRules.Condition(2, 4, 9, 0))),
                new SeccompRules.Rule("no_such_call_anywhere", SeccompRules.ACT_ALLOW, List.of())));
        SeccompProgram program = new JnaSyscalls().compileSeccomp(rules);
        ByteBuffer bpf = ByteBuffer.wrap(program.bpf()).order(ByteOrder.nativeOrder());
        // struct sock_filter {u16 code; u8 jt, jf; u32 k}: first load seccomp_data.arch (offset 4).
        assertEquals(BPF_LD_W_ABS, bpf.getShort(0));
        assertEquals(4, bpf.getInt(4));
        List<Integer> returns = new ArrayList<>();
        for (int i = 0; i < program.instructions(); i++) {
            if (bpf.getShort(i * 8) == BPF_RET_K) returns.add(bpf.getInt(i * 8 + 4));
        }
        // SECCOMP_RET_ERRNO|38 is the default, SECCOMP_RET_ERRNO|22 the audit socket, and ALLOW.
        assertTrue(returns.contains(0x00050000 | 38), returns.toString());
        assertTrue(returns.contains(0x00050000 | 22), returns.toString());
        assertTrue(returns.contains(0x7fff0000), returns.toString());
    }

    @Test
    void aRuleLibseccompRefusesIsAnErrorNamingTheCall() {
        SeccompRules bad = new SeccompRules(SeccompRules.ACT_ALLOW, List.of(), List.of(
                new SeccompRules.Rule("read", SeccompRules.errno(1),
                        List.of(new SeccompRules.Condition(9, 4, 0, 0)))));
        SysException e = assertThrows(SysException.class, () -> new JnaSyscalls().compileSeccomp(bad));
        assertTrue(e.getMessage().startsWith("seccomp_rule_add read"), e.getMessage());
        assertNotEquals(0, e.errno());
    }
}
