package dev.jrun.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * {@code jrun import --change}: Dockerfile instructions applied to a new image's config, as
 * podman import takes them ({@code CMD=/bin/sh}, {@code CMD ["sh","-c","x"]}, {@code ENV K=V}).
 * A command in shell form becomes {@code ["/bin/sh", "-c", TEXT]}, as Docker builds it.
 */
final class ConfigChanges {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigChanges() {
    }

    static ObjectNode apply(List<String> changes) throws JrunException {
        ObjectNode config = JSON.createObjectNode();
        for (String change : changes) {
            String trimmed = change.strip();
            int split = 0;
            while (split < trimmed.length() && Character.isLetter(trimmed.charAt(split))) {
                split++;
            }
            String instruction = trimmed.substring(0, split).toUpperCase(Locale.ROOT);
            String value = trimmed.substring(split);
            if (value.startsWith("=") || value.startsWith(" ")) {
                value = value.substring(1).strip();
            } else {
                throw unknown(change);
            }
            switch (instruction) {
                case "CMD" -> config.set("Cmd", command(value, change));
                case "ENTRYPOINT" -> config.set("Entrypoint", command(value, change));
                case "ENV" -> {
                    String entry = value.contains("=") ? value : value.replaceFirst("\\s+", "=");
                    if (!entry.contains("=") || entry.startsWith("=")) {
                        throw new JrunException("--change " + change + ": ENV needs NAME=VALUE");
                    }
                    ArrayNode env = config.has("Env") ? (ArrayNode) config.get("Env") : config.putArray("Env");
                    env.add(entry);
                }
                case "WORKDIR" -> config.put("WorkingDir", value);
                case "USER" -> config.put("User", value);
                case "STOPSIGNAL" -> config.put("StopSignal", value);
                case "LABEL" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new JrunException("--change " + change + ": LABEL needs KEY=VALUE");
                    }
                    ObjectNode labels = config.has("Labels") ? (ObjectNode) config.get("Labels") : config.putObject("Labels");
                    labels.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw unknown(change);
            }
        }
        return config;
    }

    private static JsonNode command(String value, String change) throws JrunException {
        if (value.startsWith("[")) {
            try {
                JsonNode node = JSON.readTree(value);
                if (node.isArray()) {
                    for (JsonNode item : node) {
                        if (!item.isTextual()) {
                            throw new JrunException("--change " + change + ": the JSON form must be a list of strings");
                        }
                    }
                    return node;
                }
            } catch (IOException e) {
                // not JSON: shell form, as Docker treats it
            }
        }
        ArrayNode shell = JSON.createArrayNode();
        shell.add("/bin/sh").add("-c").add(value);
        return shell;
    }

    private static JrunException unknown(String change) {
        return new JrunException("--change " + change + ": jrun import applies CMD, ENTRYPOINT, ENV, WORKDIR, USER,"
                + " LABEL and STOPSIGNAL, written INSTRUCTION=VALUE or INSTRUCTION VALUE (e.g. --change CMD=/bin/sh)");
    }
}
