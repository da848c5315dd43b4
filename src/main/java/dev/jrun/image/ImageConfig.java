package dev.jrun.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.DiffId;
import dev.jrun.runtime.ContainerDefaults;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an OCI image config (image-spec config.md) jrun uses. The config is hostile
 * input: every field is type-checked, and lists are bounded.
 */
public record ImageConfig(List<DiffId> diffIds, ContainerDefaults defaults, String os, String architecture,
                          String created) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ITEMS = 10_000;

    public ImageConfig {
        diffIds = List.copyOf(diffIds);
    }

    public static ImageConfig parse(byte[] json, String what) throws JrunException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new JrunException(what + ": the image config is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new JrunException(what + ": the image config is not a JSON object");
        JsonNode rootfs = root.path("rootfs");
        if (!"layers".equals(rootfs.path("type").asText())) {
            throw new JrunException(what + ": the image config's rootfs.type is not \"layers\"");
        }
        List<DiffId> diffIds = new ArrayList<>();
        for (String id : strings(rootfs.path("diff_ids"), what, "rootfs.diff_ids")) {
            try {
                diffIds.add(DiffId.parse(id));
            } catch (IllegalArgumentException e) {
                throw new JrunException(what + ": rootfs.diff_ids: " + e.getMessage());
            }
        }
        JsonNode c = root.path("config");
        ContainerDefaults defaults = new ContainerDefaults(strings(c.path("Entrypoint"), what, "config.Entrypoint"),
                strings(c.path("Cmd"), what, "config.Cmd"), strings(c.path("Env"), what, "config.Env"),
                text(c.path("WorkingDir"), what, "config.WorkingDir"), text(c.path("User"), what, "config.User"),
                text(c.path("StopSignal"), what, "config.StopSignal"), exposedPorts(c.path("ExposedPorts"), what));
        return new ImageConfig(diffIds, defaults, text(root.path("os"), what, "os").orElse(""),
                text(root.path("architecture"), what, "architecture").orElse(""),
                text(root.path("created"), what, "created").orElse(""));
    }

    /** config.ExposedPorts: an object whose keys are "PORT/PROTO" (image-spec, config.md). */
    private static List<String> exposedPorts(JsonNode node, String what) throws JrunException {
        if (node.isMissingNode() || node.isNull()) return List.of();
        if (!node.isObject() || node.size() > MAX_ITEMS) {
            throw new JrunException(what + ": config.ExposedPorts in the image config is not an object of ports");
        }
        List<String> ports = new ArrayList<>();
        node.fieldNames().forEachRemaining(ports::add);
        return ports;
    }

    private static List<String> strings(JsonNode node, String what, String field) throws JrunException {
        if (node.isMissingNode() || node.isNull()) return List.of();
        if (!node.isArray() || node.size() > MAX_ITEMS) {
            throw new JrunException(what + ": " + field + " in the image config is not a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().indexOf('\0') >= 0) {
                throw new JrunException(what + ": " + field + " in the image config holds a non-string or a NUL byte");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static Optional<String> text(JsonNode node, String what, String field) throws JrunException {
        if (node.isMissingNode() || node.isNull()) return Optional.empty();
        if (!node.isTextual() || node.asText().indexOf('\0') >= 0) {
            throw new JrunException(what + ": " + field + " in the image config is not a string");
        }
        return Optional.of(node.asText());
    }
}
