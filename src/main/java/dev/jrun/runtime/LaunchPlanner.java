package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.ids.RandomIds;
import dev.jrun.runtime.network.NetworkPlanner;
import dev.jrun.seccomp.FilterCache;
import dev.jrun.seccomp.ProfileLocator;
import dev.jrun.sys.Linux;
import dev.jrun.sys.Syscalls;
import dev.jrun.userns.MapWriter;
import dev.jrun.userns.SubIdFile;
import dev.jrun.userns.UserNamespacePlan;
import dev.jrun.userns.UserNamespacePlanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Turns a {@link RunSpec} into a {@link LaunchPlan}: every decision about a launch is made here. */
public final class LaunchPlanner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** podman's default capability set (containers.conf(5), default_capabilities). */
    static final Set<Integer> DEFAULT_CAPABILITIES = Set.of(
            0 /* CHOWN */, 1 /* DAC_OVERRIDE */, 3 /* FOWNER */, 4 /* FSETID */, 5 /* KILL */, 6 /* SETGID */,
            7 /* SETUID */, 8 /* SETPCAP */, 10 /* NET_BIND_SERVICE */, 18 /* SYS_CHROOT */, 31 /* SETFCAP */);

    /** podman's masked and read-only paths (containers/common pkg/config/default.go). */
    static final List<String> MASKED_FILES = List.of("/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug");
    static final List<String> MASKED_DIRECTORIES = List.of("/proc/acpi", "/proc/scsi", "/sys/firmware",
            "/sys/fs/selinux", "/sys/dev/block", "/sys/devices/virtual/powercap");
    static final List<String> READ_ONLY_PATHS = List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    private final HostEnvironment host;
    private final Syscalls sys;
    private final Consumer<String> warn;
    private final NamedVolumes namedVolumes;

    private NetworkPlanner networkPlanner;

    public LaunchPlanner(HostEnvironment host, Syscalls sys, Consumer<String> warn) {
        this(host, sys, warn, NamedVolumes.NONE);
    }

    private LaunchPlanner(HostEnvironment host, Syscalls sys, Consumer<String> warn, NamedVolumes namedVolumes) {
        this.host = host;
        this.sys = sys;
        this.warn = warn;
        this.namedVolumes = namedVolumes;
    }

    /** This planner with named volumes ({@code -v NAME:/path}) kept in {@code volumes}. */
    public LaunchPlanner withVolumes(NamedVolumes volumes) {
        return new LaunchPlanner(host, sys, warn, volumes);
    }

    /** @param networkPlanner decides private networks (tests give one that finds helpers where they say) */
    public LaunchPlanner(HostEnvironment host, Syscalls sys, Consumer<String> warn, NetworkPlanner networkPlanner) {
        this(host, sys, warn);
        this.networkPlanner = networkPlanner;
    }

    public LaunchPlan plan(RunSpec spec) throws JrunException {
        checkRootfs(spec.rootfs());
        UserNamespacePlan userns = userNamespace(spec.usernsRemap());
        long rootHostUid = userns.uidMap().toHost(0).orElse(-1);
        RootfsView view = new RootfsView(spec.rootfs(), rootHostUid == host.caller().uid() ? -1 : rootHostUid);

        List<String> argv = command(spec);
        Optional<String> user = spec.user().or(() -> spec.image().user().filter(u -> !u.isEmpty()));
        UserResolver users = new UserResolver(view);
        ProcessIdentity identity = users.resolve(user, userns.uidMap(), userns.gidMap());
        // podman: with the host's network and no --hostname the container shares the host's UTS
        // namespace, so it keeps the host's hostname.
        boolean hostUts = spec.network().mode() instanceof dev.jrun.runtime.network.NetworkMode.Host
                && spec.hostname().isEmpty();
        String hostname = spec.hostname().orElseGet(() -> hostUts ? host.hostname() : randomHostname());
        if (!hostUts) checkHostname(hostname);
        String workdir = spec.workdir().or(() -> spec.image().workdir().filter(w -> !w.isEmpty())).orElse("/");
        if (spec.stopTimeoutSeconds() < 0) {
            throw new JrunException("--stop-timeout " + spec.stopTimeoutSeconds() + ": give 0 or more seconds");
        }
        if (!workdir.startsWith("/")) {
            throw new JrunException("--workdir " + workdir + ": must be an absolute path inside the container");
        }
        PasswdEntries.Result passwd = PasswdEntries.plan(spec, view, users, identity, workdir);
        identity = passwd.identity();
        List<String> env = environment(spec, hostname, identity);
        String path = env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((a, b) -> b)
                .orElse(DEFAULT_PATH);
        Network asked = spec.network();
        if (networkPlanner == null) networkPlanner = NetworkPlanner.forHost(host.env(), warn);
        NetworkPlanner.Decision net = networkPlanner.plan(asked.mode(), asked.ports(), asked.publishAll(),
                spec.image().exposedPorts(), asked.dns(), asked.extraHosts(), hostname, host.hostsFile(),
                host.resolvConf());
        Network network = new Network(net.mode(), net.ports(), false, asked.dns(), asked.extraHosts());
        SecurityPlanner.Decided security = new SecurityPlanner(sys, new ProfileLocator(host.env()),
                new FilterCache(host.env(), host.caller().uid()), warn)
                .plan(spec.security(), network, host.lastCapability());
        MountPlanner.Mounts mounts = new MountPlanner(namedVolumes).plan(spec);
        List<TmpfsMount> scratch = scratchTmpfs(spec, view, mounts);
        Set<String> scratchDirs = new java.util.HashSet<>();
        scratch.forEach(t -> scratchDirs.add(t.path()));
        // canCreateIn asks as container root's host UID (RootfsView), so --userns-remap is covered.
        List<EtcFile> etc = etcFiles(view, hostname, net.hosts(), net.resolvConf(), spec.security().privileged(),
                scratchDirs);
        for (PasswdEntries.Addition a : passwd.files()) addEtc(etc, view, a.path(), a.content(), scratchDirs);
        etc = underUserMounts(etc, mounts);
        // podman links /etc/mtab to /proc/mounts where the image has none (mount(8) and df read it).
        boolean mtab = view.kind("/etc/mtab") == RootfsView.Kind.MISSING
                && view.kind("/etc") == RootfsView.Kind.DIRECTORY && view.canCreateIn("/etc");
        return new LaunchPlan(spec.rootfs(), userns, network, hostname, argv,
                executableCandidates(argv.get(0), path), env, workdir, identity, spec.readOnly(),
                mounts.volumes(), etc,
                stdio(spec), security.droppedCapabilities(), security.maskedFiles(), security.maskedDirectories(),
                security.readOnlyPaths(), stopSignal(spec.image().stopSignal()), spec.stopTimeoutSeconds(),
                security.security(), hostUts, scratch, mounts.tmpfs(), mtab);
    }

    private static void checkRootfs(RootFs rootfs) throws JrunException {
        if (rootfs instanceof RootFs.Directory d) {
            Path p = d.path();
            if (!Files.exists(p)) {
                throw new JrunException("--rootfs " + p + ": no such directory; give the path of an unpacked root "
                        + "filesystem (e.g. one made with debootstrap or an exported image)");
            }
            if (!Files.isDirectory(p)) {
                throw new JrunException("--rootfs " + p + ": not a directory; give the directory that holds the "
                        + "container's /bin, /etc, ...");
            }
            if (!p.isAbsolute()) throw new IllegalArgumentException("rootfs must be absolute: " + p);
        }
    }

    /** The caller's user namespace: its maps and how to write them (also for {@link UserNamespaceTasks}). */
    public UserNamespacePlan userNamespace(Optional<String> usernsRemap) throws JrunException {
        // The caller's own map is asked for by the store (removing files) and by the plan:
        // read it, and warn about it, once.
        if (usernsRemap.isEmpty()) {
            if (ownMap == null) ownMap = readUserNamespace(usernsRemap);
            return ownMap;
        }
        return readUserNamespace(usernsRemap);
    }

    private UserNamespacePlan ownMap;

    private UserNamespacePlan readUserNamespace(Optional<String> usernsRemap) throws JrunException {
        SubIdFile subuid;
        SubIdFile subgid;
        try {
            subuid = SubIdFile.read(host.subuidFile());
            subgid = SubIdFile.read(host.subgidFile());
        } catch (IOException e) {
            throw new JrunException("read " + host.subuidFile() + " and " + host.subgidFile() + ": " + e.getMessage()
                    + "; check that they are readable by you", e);
        }
        UserNamespacePlan plan = new UserNamespacePlanner(host.caller(), subuid, subgid, host.newuidmap(),
                host.newgidmap(), warn).plan(usernsRemap);
        if (plan.writer() == MapWriter.SETUID_HELPERS) {
            requirePrivilegedHelper(plan.newuidmap());
            requirePrivilegedHelper(plan.newgidmap());
        }
        return plan;
    }

    /**
     * newuidmap(1) can write a map of other IDs only as setuid root or with CAP_SETUID in its
     * file capabilities (user_namespaces(7), "Defining user and group ID mappings").
     */
    private void requirePrivilegedHelper(Path helper) throws JrunException {
        try {
            int mode = (Integer) Files.getAttribute(helper, "unix:mode");
            int owner = (Integer) Files.getAttribute(helper, "unix:uid");
            if ((mode & 04000) != 0 && owner == 0) return;
        } catch (IOException | UnsupportedOperationException e) {
            throw new JrunException("inspect " + helper + ": " + e.getMessage(), e);
        }
        if (sys.hasXattr(helper.toString(), "security.capability")) return;
        throw new JrunException(helper + " is neither setuid root nor has file capabilities, so it cannot write "
                + "your container's ID map; reinstall it as root: apt-get install --reinstall uidmap");
    }

    private static List<String> command(RunSpec spec) throws JrunException {
        List<String> entrypoint = spec.entrypoint().orElse(spec.image().entrypoint());
        // As podman and Docker: --entrypoint also drops the image's Cmd.
        List<String> cmd = !spec.command().isEmpty() ? spec.command()
                : spec.entrypoint().isPresent() ? List.of() : spec.image().cmd();
        List<String> argv = new ArrayList<>(entrypoint);
        argv.addAll(cmd);
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new JrunException("no command to run: give one after the image or --rootfs, e.g. "
                    + "jrun run --rootfs DIR /bin/sh -c 'echo hello'");
        }
        return argv;
    }

    /** As execvp(3): a name with a slash is used as it is, anything else is looked up in $PATH. */
    public static List<String> executableCandidates(String command, String path) {
        if (command.contains("/")) return List.of(command);
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":")) {
            String d = dir.isEmpty() ? "." : dir;
            candidates.add(d.endsWith("/") ? d + command : d + "/" + command);
        }
        return candidates;
    }

    private List<String> environment(RunSpec spec, String hostname, ProcessIdentity identity) throws JrunException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("TERM", "xterm");   // podman sets it in every container, with or without -t
        env.put("container", "jrun");
        for (String e : spec.image().env()) put(env, e, "the image's Env", false);
        for (Path file : spec.envFiles()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new JrunException("--env-file " + file + ": no such file; give the path of a file of "
                        + "KEY=VALUE lines");
            } catch (IOException e) {
                throw new JrunException("--env-file " + file + ": " + e.getMessage(), e);
            }
            for (String line : lines) {
                String l = line.stripLeading();
                if (l.isEmpty() || l.startsWith("#")) continue;
                put(env, l, "--env-file " + file, true);
            }
        }
        for (String e : spec.env()) put(env, e, "--env", true);
        env.putIfAbsent("HOSTNAME", hostname);
        env.putIfAbsent("HOME", identity.home());
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** KEY=VALUE sets; a bare KEY takes the host's value if it has one (podman's -e KEY). */
    private void put(Map<String, String> env, String entry, String source, boolean fromHost) throws JrunException {
        int eq = entry.indexOf('=');
        String key = eq < 0 ? entry : entry.substring(0, eq);
        if (key.isEmpty() || key.indexOf('\0') >= 0 || entry.indexOf('\0') >= 0) {
            throw new JrunException(source + " " + entry + ": expected KEY=VALUE with a non-empty KEY");
        }
        if (eq >= 0) {
            env.put(key, entry.substring(eq + 1));
        } else if (fromHost && key.endsWith("*")) {
            // podman: -e 'PREFIX*' takes every variable of the caller whose name starts with PREFIX.
            String prefix = key.substring(0, key.length() - 1);
            new java.util.TreeMap<>(host.env()).forEach((k, v) -> {
                if (k.startsWith(prefix)) env.put(k, v);
            });
        } else if (fromHost && host.env().containsKey(key)) {
            env.put(key, host.env().get(key));
        }
    }

    /**
     * jrun's /etc files go on top of the user's mounts, as podman's do: a volume on /etc gets
     * hostname, hosts and resolv.conf (their mount points made in it). A file the user mounts
     * on one of those paths is the user's, and jrun leaves it alone.
     */
    private static List<EtcFile> underUserMounts(List<EtcFile> etc, MountPlanner.Mounts mounts) {
        Map<String, Boolean> readOnlyByTarget = new LinkedHashMap<>();
        mounts.volumes().forEach(v -> readOnlyByTarget.put(v.containerPath(), v.readOnly()));
        mounts.tmpfs().forEach(t -> readOnlyByTarget.put(t.path(), (t.mountFlags() & dev.jrun.sys.Linux.MS_RDONLY) != 0));
        List<EtcFile> out = new ArrayList<>();
        for (EtcFile f : etc) {
            if (readOnlyByTarget.containsKey(f.path())) continue;
            Optional<Boolean> cover = readOnlyByTarget.entrySet().stream()
                    .filter(e -> f.path().startsWith(e.getKey() + "/")).map(Map.Entry::getValue)
                    .reduce((a, b) -> a || b);
            if (cover.isEmpty()) {
                out.add(f);
            } else if (!cover.get()) {
                // The mount's content, not the image's, decides whether the file exists: create it.
                out.add(new EtcFile(f.path(), f.content(), true, false));
            } // under a read-only mount no mount point can be made: the container keeps what is there
        }
        return out;
    }

    /**
     * podman's --read-only-tmpfs: with --read-only, /tmp, /var/tmp and /run are fresh tmpfs
     * (rw,nosuid,nodev), their mount points made where the image lacks them. A user's own mount
     * on one of them wins.
     */
    private static List<TmpfsMount> scratchTmpfs(RunSpec spec, RootfsView view, MountPlanner.Mounts mounts) {
        List<TmpfsMount> out = new ArrayList<>();
        if (!spec.readOnly() || !spec.readOnlyTmpfs()) return out;
        for (String path : List.of("/tmp", "/var/tmp", "/run")) {
            boolean taken = mounts.volumes().stream().anyMatch(v -> v.containerPath().equals(path))
                    || mounts.tmpfs().stream().anyMatch(t -> t.path().equals(path));
            if (taken) continue;
            long flags = dev.jrun.sys.Linux.MS_NOSUID | dev.jrun.sys.Linux.MS_NODEV;
            switch (view.kind(path)) {
                case DIRECTORY, SYMLINK -> out.add(new TmpfsMount(path, flags, "", false));
                case MISSING -> {
                    if (spec.usernsRemap().isEmpty() && creatable(view, path)) {
                        out.add(new TmpfsMount(path, flags, "", true));
                    }
                }
                default -> { } // a file there: the image's choice
            }
        }
        return out;
    }

    /** Whether a missing directory can be made: its nearest existing ancestor is a directory we may write. */
    private static boolean creatable(RootfsView view, String path) {
        String dir = path;
        while (true) {
            int slash = dir.lastIndexOf('/');
            dir = slash <= 0 ? "/" : dir.substring(0, slash);
            RootfsView.Kind kind = view.kind(dir);
            if (kind == RootfsView.Kind.MISSING) continue;
            return kind == RootfsView.Kind.DIRECTORY && view.canCreateIn(dir);
        }
    }

    /** /etc/hosts and /etc/resolv.conf as the network planner wrote them (runtime/network/NetworkFiles). */
    private List<EtcFile> etcFiles(RootfsView view, String hostname, String hosts, String resolvConf,
                                   boolean privileged, Set<String> scratch) {
        List<EtcFile> files = new ArrayList<>();
        addEtc(files, view, "/etc/hostname", hostname + "\n", scratch);
        addEtc(files, view, "/etc/hosts", hosts, scratch);
        addEtc(files, view, "/etc/resolv.conf", resolvConf, scratch);
        addEtc(files, view, CONTAINERENV, containerEnv(privileged), scratch);
        return files;
    }

    /**
     * Tools detect a container by this file (podman writes it in every container: empty, and with
     * the engine, name and image only for --privileged, containers/podman libpod/container_internal_common.go).
     */
    static final String CONTAINERENV = "/run/.containerenv";

    private static String containerEnv(boolean privileged) {
        return privileged ? "engine=\"jrun\"\nrootless=1\n" : "";
    }

    private void addEtc(List<EtcFile> files, RootfsView view, String path, String content, Set<String> scratch) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String dir = path.substring(0, path.lastIndexOf('/'));
        if (scratch.contains(dir)) {
            // --read-only's /run (and /tmp, /var/tmp) is an empty tmpfs by the time these files
            // are mounted: what the root filesystem has there is hidden (a rootfs exported from a
            // podman container has /run/.containerenv), so the mount point is always made.
            files.add(new EtcFile(path, bytes, true, false));
            return;
        }
        switch (view.kind(path)) {
            case FILE -> files.add(new EtcFile(path, bytes, false, false));
            case SYMLINK -> files.add(new EtcFile(path, bytes, false, true));
            case MISSING -> {
                // Creating the mount point changes a --rootfs directory, as podman does; if we
                // cannot, the container goes without that file rather than failing to start.
                if (view.kind(dir) == RootfsView.Kind.SYMLINK) {
                    files.add(new EtcFile(path, bytes, false, true));
                } else if (view.canCreateIn(dir)) {
                    files.add(new EtcFile(path, bytes, true, false));
                }
            }
            default -> { } // a directory or device there: leave the image's choice alone
        }
    }

    private static StdioMode stdio(RunSpec spec) {
        if (spec.tty()) return spec.interactive() ? StdioMode.TTY_INTERACTIVE : StdioMode.TTY;
        return spec.interactive() ? StdioMode.INHERIT : StdioMode.NO_STDIN;
    }

    private static int stopSignal(Optional<String> name) throws JrunException {
        if (name.isEmpty() || name.get().isEmpty()) return Linux.SIGTERM;
        int signal = Signals.parse(name.get());
        if (signal < 0) throw new JrunException("the image's StopSignal " + name.get() + " is not a signal jrun knows");
        return signal;
    }

    private static void checkHostname(String hostname) throws JrunException {
        // sethostname(2) takes at most 64 bytes; RFC 1123 letters, digits, '-', '.'.
        if (hostname.isEmpty() || hostname.length() > 64 || !hostname.matches("[A-Za-z0-9][A-Za-z0-9.-]*")) {
            throw new JrunException("--hostname " + hostname + ": expected 1-64 letters, digits, '-' and '.'");
        }
    }

    private static String randomHostname() {
        return RandomIds.hex(6);
    }

}
