package dev.jrun.seccomp;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SeccompRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which entries of a {@link SeccompProfile} apply to one container, as podman does
 * (containers/common pkg/seccomp/seccomp_linux.go) and runc then adds them to libseccomp
 * (libcontainer/seccomp/seccomp_linux.go): an entry is skipped when an excluded capability is in
 * the container's bounding set, its architecture is excluded or not included, a required
 * capability is missing, or the kernel is older (or, for excludes, not older) than minKernel.
 */
public final class ProfileResolver {

    /**
     * What the profile is resolved for.
     *
     * @param goArch the host architecture as Go names it ("amd64", "arm64"): profiles use those names
     * @param boundingCaps the container's bounding set, as "CAP_SYS_ADMIN"
     * @param kernel the running kernel's release ("6.1.0-18-amd64")
     */
    public record Target(String goArch, Set<String> boundingCaps, String kernel) {
        public Target {
            boundingCaps = Set.copyOf(boundingCaps);
        }

        public static Target host(Set<String> boundingCaps) {
            String arch = System.getProperty("os.arch");
            String goArch = switch (arch) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64" -> "arm64";
                default -> arch;
            };
            return new Target(goArch, boundingCaps, System.getProperty("os.version"));
        }

        /** The profile's name for our native ABI (SCMP_ARCH_X86_64). */
        String nativeSeccompArch() {
            return switch (goArch) {
                case "amd64" -> "SCMP_ARCH_X86_64";
                case "arm64" -> "SCMP_ARCH_AARCH64";
                default -> "SCMP_ARCH_" + goArch.toUpperCase(Locale.ROOT);
            };
        }
    }

    private static final int EPERM = 1;
    private static final int SYSCALL_MAX_ARGUMENTS = 6;

    private ProfileResolver() {}

    public static SeccompRules resolve(SeccompProfile profile, Target target) throws JrunException {
        long defaultAction = action(profile, profile.defaultAction(), profile.defaultErrno(), "defaultAction");
        List<SeccompRules.Rule> rules = new ArrayList<>();
        for (SeccompProfile.Syscall call : profile.syscalls()) {
            if (!applies(call, target, profile.source())) continue;
            long action = action(profile, call.action(), call.errno(), "the rule for " + call.names());
            // libseccomp refuses a rule whose action is the default one (EACCES); runc skips it too.
            if (action == defaultAction) continue;
            for (String name : call.names()) rules.addAll(rulesFor(profile, name, action, call.args()));
        }
        return new SeccompRules(defaultAction, extraArchitectures(profile, target), rules);
    }

    private static boolean applies(SeccompProfile.Syscall call, Target target, String source) throws JrunException {
        SeccompProfile.Filter ex = call.excludes();
        if (ex.arches().contains(target.goArch())) return false;
        if (ex.caps().stream().anyMatch(target.boundingCaps()::contains)) return false;
        if (ex.minKernel().isPresent() && kernelAtLeast(target.kernel(), ex.minKernel().get(), source)) return false;
        SeccompProfile.Filter in = call.includes();
        if (!in.arches().isEmpty() && !in.arches().contains(target.goArch())) return false;
        if (!target.boundingCaps().containsAll(in.caps())) return false;
        return in.minKernel().isEmpty() || kernelAtLeast(target.kernel(), in.minKernel().get(), source);
    }

    /**
     * Conditions on distinct arguments make one rule (all must hold); libseccomp cannot compare
     * one argument twice in a rule, so then each condition is a rule of its own, as runc does.
     */
    private static List<SeccompRules.Rule> rulesFor(SeccompProfile profile, String name, long action,
                                                    List<SeccompProfile.Arg> args) throws JrunException {
        List<SeccompRules.Condition> conditions = new ArrayList<>();
        int[] perIndex = new int[SYSCALL_MAX_ARGUMENTS];
        for (SeccompProfile.Arg a : args) {
            if (a.index() < 0 || a.index() >= SYSCALL_MAX_ARGUMENTS) {
                throw new JrunException("seccomp profile " + profile.source() + ": argument index " + a.index()
                        + " in the rule for " + name + " is not 0-5");
            }
            perIndex[a.index()]++;
            conditions.add(new SeccompRules.Condition(a.index(), compareOp(profile, a.op()), a.value(), a.valueTwo()));
        }
        boolean repeated = false;
        for (int n : perIndex) repeated |= n > 1;
        if (!repeated) return List.of(new SeccompRules.Rule(name, action, conditions));
        List<SeccompRules.Rule> out = new ArrayList<>();
        for (SeccompRules.Condition c : conditions) out.add(new SeccompRules.Rule(name, action, List.of(c)));
        return out;
    }

    /** libseccomp's SCMP_CMP_* numbers (seccomp.h, enum scmp_compare). */
    private static int compareOp(SeccompProfile profile, String op) throws JrunException {
        return switch (op) {
            case "SCMP_CMP_NE" -> 1;
            case "SCMP_CMP_LT" -> 2;
            case "SCMP_CMP_LE" -> 3;
            case "SCMP_CMP_EQ" -> 4;
            case "SCMP_CMP_GE" -> 5;
            case "SCMP_CMP_GT" -> 6;
            case "SCMP_CMP_MASKED_EQ" -> 7;
            default -> throw new JrunException("seccomp profile " + profile.source() + ": unknown comparison " + op
                    + "; use SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ");
        };
    }

    /** An action name with its errno; SCMP_ACT_ERRNO without errnoRet is EPERM, as in runc and crun. */
    static long action(SeccompProfile profile, String name, Optional<Integer> errno, String where)
            throws JrunException {
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> SeccompRules.ACT_ALLOW;
            case "SCMP_ACT_ERRNO" -> SeccompRules.errno(errno.orElse(EPERM));
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> SeccompRules.ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> SeccompRules.ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> SeccompRules.ACT_TRAP;
            case "SCMP_ACT_LOG" -> SeccompRules.ACT_LOG;
            case "SCMP_ACT_TRACE" -> SeccompRules.trace(errno.orElse(EPERM));
            case "SCMP_ACT_NOTIFY" -> throw new JrunException("seccomp profile " + profile.source() + ": " + where
                    + " uses SCMP_ACT_NOTIFY, which needs a listener jrun does not provide; use SCMP_ACT_ERRNO");
            default -> throw new JrunException("seccomp profile " + profile.source() + ": " + where
                    + " has the unknown action " + name + "; use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, ...");
        };
    }

    /** The ABIs besides the native one, in libseccomp's names ("x86", "x32"). */
    private static List<String> extraArchitectures(SeccompProfile profile, Target target) {
        String nativeArch = target.nativeSeccompArch();
        List<String> arches = new ArrayList<>(profile.architectures());
        for (SeccompProfile.ArchEntry e : profile.archMap()) {
            if (e.architecture().equals(nativeArch)) arches.addAll(e.subArchitectures());
        }
        List<String> out = new ArrayList<>();
        for (String a : arches) {
            if (a.equals(nativeArch)) continue;
            String name = a.startsWith("SCMP_ARCH_") ? a.substring("SCMP_ARCH_".length()) : a;
            out.add(name.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    static boolean kernelAtLeast(String running, String wanted, String source) throws JrunException {
        int[] want = version(wanted);
        if (want == null) {
            throw new JrunException("seccomp profile " + source + ": minKernel " + wanted + " is not MAJOR.MINOR");
        }
        int[] have = version(running);
        if (have == null) return true;   // an unreadable release: assume a current kernel
        return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
    }

    private static int[] version(String release) {
        var m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
    }
}
