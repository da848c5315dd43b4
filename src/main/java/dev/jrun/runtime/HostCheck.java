package dev.jrun.runtime;

import static dev.jrun.sys.Linux.CLONE_NEWNS;

import dev.jrun.errors.JrunException;
import dev.jrun.seccomp.FilterCache;
import dev.jrun.seccomp.ProfileLocator;
import dev.jrun.seccomp.ProfileResolver;
import dev.jrun.seccomp.SeccompFilter;
import dev.jrun.sys.Op;
import dev.jrun.sys.Syscalls;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.IdMapping;
import dev.jrun.userns.MapWriter;
import dev.jrun.userns.SubIdFile;
import dev.jrun.userns.SubIdRange;
import dev.jrun.userns.UserNamespacePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code jrun info}: what a rootless user needs to know about this host, found by reading the
 * settings and by trying the real thing (a user namespace with the caller's maps, overlayfs in
 * it, compiling the seccomp profile). Every problem names the one command that fixes it.
 */
public final class HostCheck {
    /** podman's size for a rootless user's range (useradd's default, SUB_UID_COUNT). */
    private static final long FULL_RANGE = 65536;

    private final HostEnvironment host;
    private final Syscalls sys;
    private final LaunchPlanner planner;
    private final Launcher launcher;
    private final Path storeRoot;
    private final Optional<String> storageDriver;
    private final List<HostReport.Problem> problems = new ArrayList<>();

    public HostCheck(HostEnvironment host, Syscalls sys, LaunchPlanner planner, Launcher launcher, Path storeRoot,
                     Optional<String> storageDriver) {
        this.host = host;
        this.sys = sys;
        this.planner = planner;
        this.launcher = launcher;
        this.storeRoot = storeRoot;
        this.storageDriver = storageDriver;
    }

    public HostReport run() {
        Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
        sections.put("host", hostSection());
        Map<String, Object> userns = usernsSection();
        sections.put("userNamespaces", userns);
        sections.put("network", networkSection());
        sections.put("security", securitySection());
        sections.put("store", storeSection(Boolean.TRUE.equals(userns.get("works"))));
        return new HostReport(sections, problems);
    }

    private void problem(String what, String fix) {
        problems.add(new HostReport.Problem(what, fix));
    }

    private Map<String, Object> hostSection() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kernel", System.getProperty("os.version"));
        s.put("arch", System.getProperty("os.arch"));
        s.put("os", osRelease().orElse("unknown"));
        s.put("cgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "v2" : "v1");
        s.put("user", host.caller().userName() + " (uid " + host.caller().uid() + ")");
        return s;
    }

    private Map<String, Object> usernsSection() {
        Map<String, Object> s = new LinkedHashMap<>();
        Optional<String> max = sysctl("user/max_user_namespaces");
        Optional<String> clone = sysctl("kernel/unprivileged_userns_clone");
        Optional<String> apparmor = sysctl("kernel/apparmor_restrict_unprivileged_userns");
        s.put("maxUserNamespaces", max.orElse("absent"));
        s.put("unprivilegedUsernsClone", clone.orElse("absent"));
        s.put("apparmorRestrictUnprivilegedUserns", apparmor.orElse("absent"));
        boolean settingFound = false;
        if (max.filter("0"::equals).isPresent()) {
            problem("user namespaces are disabled (user.max_user_namespaces = 0)",
                    "sysctl -w user.max_user_namespaces=15000   # as root; persist in /etc/sysctl.d/");
            settingFound = true;
        }
        if (clone.filter("0"::equals).isPresent()) {
            problem("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)",
                    "sysctl -w kernel.unprivileged_userns_clone=1   # as root; persist in /etc/sysctl.d/");
            settingFound = true;
        }
        if (apparmor.filter("1"::equals).isPresent()) {
            problem("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)",
                    "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0   # as root, or an AppArmor profile for java with 'userns,'");
            settingFound = true;
        }
        String user = host.caller().userName();
        int before = problems.size();
        s.put("subuid", ranges(host.subuidFile(), user, "uid"));
        s.put("subgid", ranges(host.subgidFile(), user, "gid"));
        s.put("newuidmap", helper(host.newuidmap(), "newuidmap"));
        s.put("newgidmap", helper(host.newgidmap(), "newgidmap"));
        boolean mapProblem = problems.size() > before;

        // First the kernel alone: a namespace with only our own ID, which needs no helper.
        UserNamespacePlan own = new UserNamespacePlan(new IdMap(List.of(new IdMapping(0, host.caller().uid(), 1))),
                new IdMap(List.of(new IdMapping(0, host.caller().gid(), 1))), MapWriter.DIRECT, false, null, null);
        boolean canCreate = tryIn(own, settingFound);
        s.put("canCreate", canCreate);
        // Then what a container gets: the caller's full map, written by newuidmap/newgidmap.
        boolean works = false;
        if (canCreate) {
            try {
                UserNamespacePlan plan = planner.userNamespace(Optional.empty());
                s.put("uidMap", mapLines(plan.uidMap().procText()));
                s.put("gidMap", mapLines(plan.gidMap().procText()));
                works = tryIn(plan, mapProblem);
            } catch (JrunException e) {
                if (!mapProblem) problem(e.getMessage(), fixFrom(e.getMessage()));
            }
        }
        s.put("works", works);
        return s;
    }

    /** Runs an empty task in a user namespace; a failure is a problem unless one found already explains it. */
    private boolean tryIn(UserNamespacePlan plan, boolean explained) {
        try {
            return launcher.runInUserNamespace(plan, 0, List.of(new Op.Exit(0))) == 0;
        } catch (JrunException e) {
            if (!explained) problem(e.getMessage(), fixFrom(e.getMessage()));
            return false;
        }
    }

    private static List<String> mapLines(String procText) {
        return procText.lines().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
    }

    /** The caller's ranges, and a problem if they are missing or smaller than podman's 65536. */
    private List<String> ranges(Path file, String user, String kind) {
        List<SubIdRange> ranges;
        try {
            ranges = SubIdFile.read(file).rangesOf(user, host.caller().uid(), w -> { });
        } catch (IOException e) {
            problem("cannot read " + file + ": " + e.getMessage(), "chmod 0644 " + file + "   # as root");
            return List.of();
        }
        String addOption = "--add-sub" + kind + "s";
        String fix = "usermod " + addOption + " 100000-165535 " + user + "   # as root; pick a range no other user has";
        if (ranges.isEmpty()) {
            problem(user + " has no subordinate " + kind.toUpperCase() + "s in " + file
                    + ": containers get only your own ID (0) and images with other owners fail", fix);
            return List.of();
        }
        long total = ranges.stream().mapToLong(SubIdRange::count).sum();
        if (total < FULL_RANGE) {
            problem(user + " has only " + total + " subordinate " + kind.toUpperCase() + "s in " + file
                    + "; images with IDs up to 65535 need 65536", fix);
        }
        return ranges.stream().map(r -> r.start() + ":" + r.count()).toList();
    }

    /** Where the helper is and whether it can write another user's map (setuid root or file caps). */
    private String helper(Optional<Path> path, String name) {
        if (path.isEmpty()) {
            problem(name + " is not installed: only a single-ID map is possible", "apt-get install uidmap   # as root");
            return "missing";
        }
        Path p = path.get();
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            int owner = (Integer) Files.getAttribute(p, "unix:uid");
            if ((mode & 04000) != 0 && owner == 0) return p + " (setuid root)";
        } catch (IOException | RuntimeException e) {
            problem("cannot inspect " + p + ": " + e.getMessage(), "apt-get install --reinstall uidmap   # as root");
            return p + " (unreadable)";
        }
        if (sys.hasXattr(p.toString(), "security.capability")) return p + " (file capabilities)";
        if (insideUserNamespace()) {
            problem("jrun runs inside a user namespace (a container or sandbox) where host root is not mapped, so "
                    + p + " cannot act as setuid root", "run jrun outside the container or sandbox");
            return p + " (setuid root does not work in this namespace)";
        }
        problem(p + " is neither setuid root nor has file capabilities: it cannot write your ID maps",
                "apt-get install --reinstall uidmap   # as root (or: chmod u+s " + p + ")");
        return p + " (not privileged)";
    }

    private Map<String, Object> networkSection() {
        Map<String, Object> s = new LinkedHashMap<>();
        Optional<Path> pasta = onPath("pasta");
        Optional<Path> slirp = onPath("slirp4netns");
        s.put("pasta", pasta.map(Path::toString).orElse("missing"));
        s.put("slirp4netns", slirp.map(Path::toString).orElse("missing"));
        if (pasta.isEmpty() && slirp.isEmpty()) {
            problem("neither pasta nor slirp4netns is installed: a container cannot have a private network "
                    + "with outside access", "apt-get install passt   # as root");
        }
        Path tun = Path.of("/dev/net/tun");
        if (Files.exists(tun) && !Files.isWritable(tun)) {
            problem(tun + " is not writable by you: pasta and slirp4netns need it for a private network",
                    "chmod 0666 /dev/net/tun   # as root (Debian's default mode)");
        }
        return s;
    }

    private Map<String, Object> securitySection() {
        Map<String, Object> s = new LinkedHashMap<>();
        boolean kernel = Files.exists(Path.of("/proc/sys/kernel/seccomp/actions_avail"));
        s.put("seccompInKernel", kernel);
        ProfileLocator locator = new ProfileLocator(host.env());
        try {
            ProfileLocator.Located profile = locator.defaultProfile();
            s.put("seccompProfile", profile.source());
            Set<String> caps = new TreeSet<>();
            for (int cap : LaunchPlanner.DEFAULT_CAPABILITIES) caps.add(Capabilities.name(cap));
            SeccompFilter filter = SeccompFilter.compile(profile, ProfileResolver.Target.host(caps), sys,
                    FilterCache.none());
            s.put("seccompFilterInstructions", filter.program().instructions());
        } catch (JrunException e) {
            problem(e.getMessage(), e.getMessage().contains("libseccomp")
                    ? "apt-get install libseccomp2   # as root" : "jrun run --security-opt seccomp=unconfined ...   # until the profile is fixed");
        }
        if (!kernel) {
            problem("this kernel has no seccomp filtering (CONFIG_SECCOMP_FILTER): containers run without a filter",
                    "use a kernel built with CONFIG_SECCOMP_FILTER=y (every distribution kernel is)");
        }
        s.put("defaultCapabilities", LaunchPlanner.DEFAULT_CAPABILITIES.stream().sorted().map(Capabilities::name).toList());
        return s;
    }

    private Map<String, Object> storeSection(boolean usernsWorks) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", storeRoot.toString());
        String driver = storageDriver.orElse("overlay");
        if (usernsWorks && !driver.equals("vfs")) {
            Optional<String> overlayError = tryOverlay();
            if (overlayError.isPresent()) {
                if (storageDriver.isEmpty()) driver = "vfs";
                problem("overlayfs does not mount in a user namespace here (" + overlayError.get()
                        + "): every container copies its image", "use Linux 5.11 or later, or keep --storage-driver vfs");
            }
        }
        s.put("driver", driver);
        s.put("sizeBytes", size(storeRoot));
        return s;
    }

    /** Mounts an overlay as container root, in a directory on the store's filesystem; empty if it worked. */
    private Optional<String> tryOverlay() {
        Path base = Files.isDirectory(storeRoot) ? storeRoot : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = null;
        try {
            dir = Files.createTempDirectory(base, ".jrun-info-overlay-");
            for (String d : List.of("lower", "upper", "work", "merged")) Files.createDirectory(dir.resolve(d));
            String options = "lowerdir=" + dir.resolve("lower") + ",upperdir=" + dir.resolve("upper")
                    + ",workdir=" + dir.resolve("work") + ",userxattr";
            launcher.runInUserNamespace(planner.userNamespace(Optional.empty()), CLONE_NEWNS, List.of(
                    new Op.Mount(null, "/", null, dev.jrun.sys.Linux.MS_REC | dev.jrun.sys.Linux.MS_PRIVATE, null, 0),
                    new Op.Mount("overlay", dir.resolve("merged").toString(), "overlay", 0, options, 0),
                    new Op.Exit(0)));
            return Optional.empty();
        } catch (JrunException | IOException e) {
            return Optional.of(e.getMessage());
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    /**
     * Removes the trial directories. Not a tree walk: overlayfs leaves work/work with mode 000,
     * which a walk cannot enter, but which, being empty, can be removed by name.
     */
    private static void deleteTree(Path dir) {
        for (String name : List.of("work/work", "work", "lower", "upper", "merged", "")) {
            try {
                Files.deleteIfExists(name.isEmpty() ? dir : dir.resolve(name));
            } catch (IOException ignored) {
                // a leftover empty directory, named .jrun-info-overlay-*, harmless
            }
        }
    }

    private static long size(Path root) {
        if (!Files.isDirectory(root)) return 0;
        long[] total = {0};
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> {
                try {
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) total[0] += Files.size(p);
                } catch (IOException ignored) {
                    // a file of a subordinate ID we cannot stat: not counted
                }
            });
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // a directory we cannot enter: what was counted so far
        }
        return total[0];
    }

    private Optional<Path> onPath(String name) {
        String path = host.env().getOrDefault("PATH", "") + ":/usr/bin:/usr/sbin:/bin:/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Not the initial user namespace: /proc/self/uid_map is not the full identity map. */
    private static boolean insideUserNamespace() {
        try {
            String map = HostEnvironment.procLine(Path.of("/proc/self/uid_map")).replaceAll("\\s+", " ");
            return !map.equals("0 0 4294967295");
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<String> sysctl(String name) {
        try {
            return Optional.of(HostEnvironment.procLine(Path.of("/proc/sys", name)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> osRelease() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) return Optional.of(line.substring(12).replace("\"", ""));
            }
        } catch (IOException ignored) {
            // no os-release: unknown
        }
        return Optional.empty();
    }

    /** The fix a jrun error message already names: what follows its last "; ". */
    static String fixFrom(String message) {
        int at = message.lastIndexOf("; ");
        return at < 0 ? "see the message above" : message.substring(at + 2);
    }
}
