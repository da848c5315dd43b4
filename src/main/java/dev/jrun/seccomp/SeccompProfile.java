package dev.jrun.seccomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A seccomp profile in the JSON format of podman and Docker (containers/common
 * pkg/seccomp/types.go), as written; {@link ProfileResolver} decides which parts apply.
 *
 * @param source where it came from, for messages ("/usr/share/containers/seccomp.json")
 * @param defaultErrno defaultErrnoRet, if given
 * @param architectures the old "architectures" list (native and extra ABIs), if given
 * @param archMap "archMap": for each native ABI, the extra ABIs the filter also covers
 */
public record SeccompProfile(String source, String defaultAction, Optional<Integer> defaultErrno,
                             List<String> architectures, List<ArchEntry> archMap, List<Syscall> syscalls) {

    public SeccompProfile {
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        syscalls = List.copyOf(syscalls);
    }

    public record ArchEntry(String architecture, List<String> subArchitectures) {
        public ArchEntry {
            subArchitectures = List.copyOf(subArchitectures);
        }
    }

    /** One entry of "syscalls": these names get this action when the arguments match. */
    public record Syscall(List<String> names, String action, Optional<Integer> errno, List<Arg> args,
                          Filter includes, Filter excludes) {
        public Syscall {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }
    }

    /** "args": argument {@code index} compared with {@code value} (and {@code valueTwo} for SCMP_CMP_MASKED_EQ). */
    public record Arg(int index, long value, long valueTwo, String op) {}

    /** "includes"/"excludes": capabilities (CAP_...), Go architecture names, a minimum kernel. */
    public record Filter(List<String> caps, List<String> arches, Optional<String> minKernel) {
        public static final Filter NONE = new Filter(List.of(), List.of(), Optional.empty());

        public Filter {
            caps = List.copyOf(caps);
            arches = List.copyOf(arches);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SeccompProfile parse(byte[] json, String source) throws JrunException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(source, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(source, "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw bad(source, "expected a JSON object");
        String defaultAction = text(root, "defaultAction", source);
        if (defaultAction == null) throw bad(source, "\"defaultAction\" is missing");
        List<String> architectures = strings(root.get("architectures"), "architectures", source);
        List<ArchEntry> archMap = new ArrayList<>();
        JsonNode map = root.get("archMap");
        if (map != null && !map.isNull()) {
            if (!map.isArray()) throw bad(source, "\"archMap\" must be a list");
            for (JsonNode entry : map) {
                String arch = text(entry, "architecture", source);
                if (arch == null) throw bad(source, "an \"archMap\" entry lacks \"architecture\"");
                archMap.add(new ArchEntry(arch, strings(entry.get("subArchitectures"), "subArchitectures", source)));
            }
        }
        if (!architectures.isEmpty() && !archMap.isEmpty()) {
            throw bad(source, "give either \"architectures\" or \"archMap\", not both");
        }
        List<Syscall> syscalls = new ArrayList<>();
        JsonNode calls = root.get("syscalls");
        if (calls != null && !calls.isNull()) {
            if (!calls.isArray()) throw bad(source, "\"syscalls\" must be a list");
            for (JsonNode call : calls) syscalls.add(syscall(call, source));
        }
        return new SeccompProfile(source, defaultAction, integer(root, "defaultErrnoRet", source), architectures,
                archMap, syscalls);
    }

    private static Syscall syscall(JsonNode call, String source) throws JrunException {
        List<String> names = new ArrayList<>(strings(call.get("names"), "names", source));
        String name = text(call, "name", source);
        if (name != null && !names.isEmpty()) {
            throw bad(source, "a syscalls entry has both \"name\" (" + name + ") and \"names\"; give one");
        }
        if (name != null) names.add(name);
        String action = text(call, "action", source);
        if (action == null) throw bad(source, "the syscalls entry for " + names + " lacks \"action\"");
        List<Arg> args = new ArrayList<>();
        JsonNode argNodes = call.get("args");
        if (argNodes != null && !argNodes.isNull()) {
            for (JsonNode a : argNodes) {
                String op = text(a, "op", source);
                if (op == null || !a.has("index")) throw bad(source, "an argument rule for " + names + " lacks index or op");
                args.add(new Arg(a.get("index").asInt(), a.path("value").asLong(), a.path("valueTwo").asLong(), op));
            }
        }
        return new Syscall(names, action, integer(call, "errnoRet", source), args,
                filter(call.get("includes"), source), filter(call.get("excludes"), source));
    }

    private static Filter filter(JsonNode node, String source) throws JrunException {
        if (node == null || node.isNull()) return Filter.NONE;
        return new Filter(strings(node.get("caps"), "caps", source), strings(node.get("arches"), "arches", source),
                Optional.ofNullable(text(node, "minKernel", source)).filter(s -> !s.isEmpty()));
    }

    private static String text(JsonNode node, String field, String source) throws JrunException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw bad(source, "\"" + field + "\" must be a string, not " + v);
        return v.asText();
    }

    private static Optional<Integer> integer(JsonNode node, String field, String source) throws JrunException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.canConvertToInt()) throw bad(source, "\"" + field + "\" must be a number, not " + v);
        return Optional.of(v.asInt());
    }

    private static List<String> strings(JsonNode node, String field, String source) throws JrunException {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw bad(source, "\"" + field + "\" must be a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw bad(source, "\"" + field + "\" must be a list of strings, found " + n);
            out.add(n.asText());
        }
        return out;
    }

    private static JrunException bad(String source, String what) {
        return new JrunException("seccomp profile " + source + ": " + what
                + "; fix it, or run with --security-opt seccomp=unconfined");
    }
}
