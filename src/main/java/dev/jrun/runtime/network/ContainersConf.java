package dev.jrun.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jrun.config.ContainersConfFiles;
import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network settings of containers.conf(5) that jrun honours: {@code [containers] netns},
 * {@code [network] default_rootless_network_cmd}, {@code [engine] network_cmd_path},
 * {@code network_cmd_options} (slirp4netns's default options) and {@code helper_binaries_dir}.
 *
 * <p>The files are {@link ContainersConfFiles}'s, later ones overriding earlier keys.
 */
public record ContainersConf(Optional<String> netns, Optional<String> defaultRootlessNetworkCmd,
                             Optional<Path> networkCmdPath, List<String> networkCmdOptions,
                             List<Path> helperBinariesDirs) {
    public static final ContainersConf EMPTY =
            new ContainersConf(Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of());

    public ContainersConf {
        networkCmdOptions = List.copyOf(networkCmdOptions);
        helperBinariesDirs = List.copyOf(helperBinariesDirs);
    }

    /** A line that sets one of the keys jrun reads (a key at the start of a line, then '='). */
    private static final java.util.regex.Pattern OUR_KEYS = java.util.regex.Pattern.compile(
            "(?m)^\\s*\"?(netns|default_rootless_network_cmd|network_cmd_path|network_cmd_options|helper_binaries_dir)"
                    + "\"?\\s*=");

    public static ContainersConf load(Map<String, String> env) throws JrunException {
        List<Path> files = ContainersConfFiles.inOrder(env);
        ContainersConf conf = EMPTY;
        TomlMapper toml = null;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) continue;
            try {
                String text = Files.readString(f);
                // A file that sets none of our keys changes nothing (podman's own ships them all
                // commented out); the TOML parser costs ~130 ms of start-up, so it runs only
                // for a file that does set one.
                if (!OUR_KEYS.matcher(text).find()) continue;
                if (toml == null) toml = new TomlMapper();
                conf = conf.over(toml.readTree(text), f);
            } catch (IOException e) {
                throw new JrunException("read " + f + ": " + e.getMessage() + "; fix the file (containers.conf(5))", e);
            }
        }
        return conf;
    }

    /** This configuration with the keys {@code file} sets replaced. */
    ContainersConf over(JsonNode root, Path file) throws JrunException {
        Optional<String> ns = text(root.path("containers").path("netns"), file, "netns").or(() -> netns);
        Optional<String> cmd = text(root.path("network").path("default_rootless_network_cmd"), file,
                "default_rootless_network_cmd").or(() -> defaultRootlessNetworkCmd);
        Optional<Path> cmdPath = text(root.path("engine").path("network_cmd_path"), file, "network_cmd_path")
                .filter(s -> !s.isEmpty()).map(Path::of).or(() -> networkCmdPath);
        List<String> options = root.path("engine").has("network_cmd_options")
                ? strings(root.path("engine").path("network_cmd_options"), file, "network_cmd_options")
                : networkCmdOptions;
        List<Path> dirs = root.path("engine").has("helper_binaries_dir")
                ? strings(root.path("engine").path("helper_binaries_dir"), file, "helper_binaries_dir").stream()
                        .map(Path::of).toList()
                : helperBinariesDirs;
        return new ContainersConf(ns, cmd, cmdPath, options, dirs);
    }

    private static Optional<String> text(JsonNode node, Path file, String key) throws JrunException {
        if (node.isMissingNode()) return Optional.empty();
        if (!node.isTextual()) throw new JrunException(file + ": " + key + " must be a string (containers.conf(5))");
        return Optional.of(node.asText());
    }

    private static List<String> strings(JsonNode node, Path file, String key) throws JrunException {
        if (!node.isArray()) throw new JrunException(file + ": " + key + " must be a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw new JrunException(file + ": " + key + " must be a list of strings");
            out.add(n.asText());
        }
        return out;
    }
}
