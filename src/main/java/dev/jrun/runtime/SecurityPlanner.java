package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.seccomp.FilterCache;
import dev.jrun.seccomp.ProfileLocator;
import dev.jrun.seccomp.ProfileResolver;
import dev.jrun.seccomp.SeccompFilter;
import dev.jrun.sys.Syscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Turns {@link SecurityOptions} into the capabilities, masks and seccomp filter of a launch. */
final class SecurityPlanner {

    /** Everything security-related {@link LaunchPlanner} puts into the plan. */
    record Decided(List<Integer> droppedCapabilities, List<String> maskedFiles, List<String> maskedDirectories,
                   List<String> readOnlyPaths, ContainerSecurity security) {}

    private final Syscalls sys;
    private final ProfileLocator locator;
    private final FilterCache cache;
    private final Consumer<String> warn;

    SecurityPlanner(Syscalls sys, ProfileLocator locator, FilterCache cache, Consumer<String> warn) {
        this.sys = sys;
        this.locator = locator;
        this.cache = cache;
        this.warn = warn;
    }

    Decided plan(SecurityOptions options, Network network, int lastCap) throws JrunException {
        Optional<String> seccomp = Optional.empty();
        boolean noNewPrivileges = false;
        List<String> masks = new ArrayList<>();
        List<String> unmasks = new ArrayList<>();
        for (String opt : options.securityOpts()) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? null : opt.substring(eq + 1);
            switch (key) {
                case "seccomp" -> seccomp = Optional.of(required(opt, value));
                case "no-new-privileges" -> noNewPrivileges = value == null || bool(opt, value);
                case "mask" -> masks.addAll(paths(opt, required(opt, value)));
                case "unmask" -> unmasks.addAll(required(opt, value).equals("ALL") ? List.of("ALL")
                        : paths(opt, value));
                // SELinux labels: this host has no SELinux to label with; podman ignores them there too.
                case "label" -> {
                    if (!"disable".equals(value) && !"nested".equals(value)) {
                        warn.accept("--security-opt " + opt + ": ignored, jrun applies no SELinux labels");
                    }
                }
                case "apparmor" -> {
                    if (!"unconfined".equals(value)) {
                        throw new JrunException("--security-opt " + opt + ": jrun applies no AppArmor profile; "
                                + "give apparmor=unconfined or leave it out");
                    }
                }
                default -> throw new JrunException("--security-opt " + opt + ": unknown option; jrun knows "
                        + "seccomp=unconfined|FILE, no-new-privileges, mask=PATHS, unmask=PATHS|ALL, label=disable");
            }
        }

        Set<Integer> bounding = Capabilities.boundingSet(LaunchPlanner.DEFAULT_CAPABILITIES, options.capAdd(),
                options.capDrop(), options.privileged(), lastCap);
        List<Integer> dropped = new ArrayList<>();
        for (int cap = 0; cap <= lastCap; cap++) {
            if (!bounding.contains(cap)) dropped.add(cap);
        }

        // --privileged: podman's rootless meaning, no masked or read-only kernel paths.
        boolean privileged = options.privileged();
        List<String> maskedFiles = privileged ? List.of() : unmasked(LaunchPlanner.MASKED_FILES, unmasks);
        // With the host's network the host's /sys is bound in, not a new sysfs; podman then also
        // hides /sys/kernel (seen with podman 4.3 + runc, rootless --network host).
        List<String> dirs = new ArrayList<>(LaunchPlanner.MASKED_DIRECTORIES);
        if (!network.ownSysfs()) dirs.add("/sys/kernel");
        List<String> maskedDirs = privileged ? List.of() : unmasked(dirs, unmasks);
        List<String> readOnly = privileged ? List.of() : unmasked(LaunchPlanner.READ_ONLY_PATHS, unmasks);

        return new Decided(dropped, maskedFiles, maskedDirs, readOnly,
                new ContainerSecurity(seccomp(seccomp, privileged, bounding), noNewPrivileges, masks));
    }

    /**
     * podman's rule: --privileged runs unconfined unless a profile is named; seccomp=unconfined
     * never filters; otherwise the named file or the configured default.
     */
    private Optional<SeccompFilter> seccomp(Optional<String> given, boolean privileged, Set<Integer> bounding)
            throws JrunException {
        if (given.isPresent() && given.get().equals("unconfined")) return Optional.empty();
        if (given.isEmpty() && privileged) return Optional.empty();
        ProfileLocator.Located profile = given.isPresent()
                ? ProfileLocator.file(Path.of(given.get()).toAbsolutePath())
                : locator.defaultProfile();
        Set<String> capNames = new TreeSet<>();
        for (int cap : bounding) capNames.add(Capabilities.name(cap));
        return Optional.of(SeccompFilter.compile(profile, ProfileResolver.Target.host(capNames), sys, cache));
    }

    private static List<String> unmasked(List<String> paths, List<String> unmasks) {
        if (unmasks.contains("ALL")) return List.of();
        List<Pattern> patterns = unmasks.stream().map(SecurityPlanner::glob).toList();
        return paths.stream().filter(p -> patterns.stream().noneMatch(g -> g.matcher(p).matches())).toList();
    }

    /** A filepath.Match pattern (as podman matches unmask= paths): * and ? stop at '/'. */
    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static List<String> paths(String opt, String value) throws JrunException {
        List<String> out = new ArrayList<>();
        for (String p : value.split(":")) {
            if (p.isEmpty()) continue;
            if (!p.startsWith("/")) {
                throw new JrunException("--security-opt " + opt + ": " + p + " is not an absolute path; "
                        + "separate absolute container paths with ':'");
            }
            out.add(p);
        }
        if (out.isEmpty()) throw new JrunException("--security-opt " + opt + ": give one or more paths separated by ':'");
        return out;
    }

    private static String required(String opt, String value) throws JrunException {
        if (value == null || value.isEmpty()) throw new JrunException("--security-opt " + opt + ": give a value after '='");
        return value;
    }

    private static boolean bool(String opt, String value) throws JrunException {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new JrunException("--security-opt " + opt + ": expected true or false");
        };
    }
}
