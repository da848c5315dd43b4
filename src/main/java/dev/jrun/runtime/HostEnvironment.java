package dev.jrun.runtime;

import dev.jrun.sys.Syscalls;
import dev.jrun.userns.HostIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The facts about the host a launch plan depends on; tests build their own. */
public record HostEnvironment(
        HostIdentity caller,
        Path subuidFile,
        Path subgidFile,
        Optional<Path> newuidmap,
        Optional<Path> newgidmap,
        Map<String, String> env,
        String hostsFile,
        String resolvConf,
        int lastCapability,
        String hostname) {

    public HostEnvironment {
        env = Map.copyOf(env);
    }

    /** A host whose own hostname is "localhost" (tests that do not care). */
    public HostEnvironment(HostIdentity caller, Path subuidFile, Path subgidFile, Optional<Path> newuidmap,
            Optional<Path> newgidmap, Map<String, String> env, String hostsFile, String resolvConf,
            int lastCapability) {
        this(caller, subuidFile, subgidFile, newuidmap, newgidmap, env, hostsFile, resolvConf, lastCapability,
                "localhost");
    }

    public static HostEnvironment detect(Syscalls sys) {
        HostIdentity caller = new HostIdentity(Integer.toUnsignedLong(sys.getuid()),
                Integer.toUnsignedLong(sys.getgid()), System.getProperty("user.name"));
        return new HostEnvironment(caller, Path.of("/etc/subuid"), Path.of("/etc/subgid"),
                findHelper("newuidmap"), findHelper("newgidmap"), System.getenv(),
                readSmall(Path.of("/etc/hosts")), readSmall(Path.of("/etc/resolv.conf")),
                readLastCapability(), readHostname());
    }

    /** The host's hostname, which a container on the host's network keeps (uname(2) nodename). */
    private static String readHostname() {
        try {
            String name = procLine(Path.of("/proc/sys/kernel/hostname"));
            return name.isEmpty() ? "localhost" : name;
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }

    /** newuidmap(1) is looked up in $PATH and in the places shadow installs it. */
    private static Optional<Path> findHelper(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/sbin:/bin:/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static String readSmall(Path file) {
        try {
            return Files.size(file) > 65536 ? "" : Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The first line of a /proc file. Not Files.readString: it sizes its read by the file's
     * length, which procfs reports as 0, and was seen to return "4" for "40".
     */
    static String procLine(Path file) throws IOException {
        try (var reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            return line == null ? "" : line.strip();
        }
    }

    /** /proc/sys/kernel/cap_last_cap: capabilities(7), the highest capability this kernel knows. */
    private static int readLastCapability() {
        try {
            return Integer.parseInt(procLine(Path.of("/proc/sys/kernel/cap_last_cap")));
        } catch (IOException | RuntimeException e) {
            return 40;
        }
    }
}
