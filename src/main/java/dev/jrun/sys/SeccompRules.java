package dev.jrun.sys;

import java.util.List;

/**
 * A seccomp filter as libseccomp takes it, with every profile decision already made (which rules
 * apply for these capabilities and this architecture): what {@link Syscalls#compileSeccomp}
 * turns into BPF.
 *
 * @param defaultAction the SCMP_ACT_* value for calls no rule names (errno folded in)
 * @param extraArchitectures libseccomp names ("x86", "x32") of the ABIs besides the native one
 *     the filter also covers, as podman's archMap lists them
 */
public record SeccompRules(long defaultAction, List<String> extraArchitectures, List<Rule> rules) {
    public SeccompRules {
        extraArchitectures = List.copyOf(extraArchitectures);
        rules = List.copyOf(rules);
    }

    /** One seccomp_rule_add: the call, the action, and conditions that must all hold. */
    public record Rule(String syscall, long action, List<Condition> conditions) {
        public Rule {
            conditions = List.copyOf(conditions);
        }
    }

    /** struct scmp_arg_cmp: argument {@code index} compared by {@code op} (SCMP_CMP_*) with a and b. */
    public record Condition(int index, int op, long a, long b) {}

    /** libseccomp's action values (seccomp.h). */
    public static final long ACT_KILL_PROCESS = 0x80000000L;
    public static final long ACT_KILL_THREAD = 0x00000000L;
    public static final long ACT_TRAP = 0x00030000L;
    public static final long ACT_LOG = 0x7ffc0000L;
    public static final long ACT_ALLOW = 0x7fff0000L;

    public static long errno(int errno) {
        return 0x00050000L | (errno & 0xffff);
    }

    public static long trace(int message) {
        return 0x7ff00000L | (message & 0xffff);
    }
}
