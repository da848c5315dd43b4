package dev.jrun.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code jrun info} found: named sections of facts (strings, numbers, booleans, lists), in
 * the order they are shown, and every problem with the one line that fixes it.
 */
public record HostReport(Map<String, Map<String, Object>> sections, List<Problem> problems) {

    /** Something that stops or degrades rootless containers here, and the command that fixes it. */
    public record Problem(String what, String fix) {}

    public HostReport {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        sections.forEach((k, v) -> copy.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        sections = java.util.Collections.unmodifiableMap(copy);
        problems = List.copyOf(problems);
    }
}
