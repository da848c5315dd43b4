package dev.jrun.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Which containers.conf(5) files apply, in containers/common's order (later files override
 * earlier keys): {@code $CONTAINERS_CONF} alone if set; else
 * /usr/share/containers/containers.conf, /etc/containers/containers.conf,
 * /etc/containers/containers.conf.d/*.conf, then the user's
 * {@code $XDG_CONFIG_HOME/containers/containers.conf} (default ~/.config) and its .d directory.
 * One owner for the order: the network settings and the seccomp profile both read these.
 */
public final class ContainersConfFiles {
    private ContainersConfFiles() {}

    /** The files in order; some may not exist. */
    public static List<Path> inOrder(Map<String, String> env) {
        String only = env.get("CONTAINERS_CONF");
        if (only != null && !only.isEmpty()) return List.of(Path.of(only));
        List<Path> files = new ArrayList<>();
        files.add(Path.of("/usr/share/containers/containers.conf"));
        files.add(Path.of("/etc/containers/containers.conf"));
        files.addAll(dropIns(Path.of("/etc/containers/containers.conf.d")));
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        files.add(config.resolve("containers/containers.conf"));
        files.addAll(dropIns(config.resolve("containers/containers.conf.d")));
        return files;
    }

    /** A drop-in directory's *.conf files, in lexical order (containers.conf(5)). */
    private static List<Path> dropIns(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
