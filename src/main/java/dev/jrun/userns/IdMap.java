package dev.jrun.userns;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** A whole uid_map or gid_map, in the order it is written. */
public record IdMap(List<IdMapping> mappings) {
    /** The kernel refuses more lines than this in one map (user_namespaces(7), since Linux 4.15). */
    public static final int MAX_LINES = 340;
    public static final long MAX_ID = 4294967294L;

    public IdMap {
        mappings = List.copyOf(mappings);
    }

    public static IdMap identity() {
        return new IdMap(List.of(new IdMapping(0, 0, 4294967295L)));
    }

    /** The host ID a container ID becomes, if it is mapped. */
    public OptionalLong toHost(long containerId) {
        for (IdMapping m : mappings) {
            if (containerId >= m.containerId() && containerId < m.containerId() + m.count()) {
                return OptionalLong.of(m.hostId() + (containerId - m.containerId()));
            }
        }
        return OptionalLong.empty();
    }

    public boolean maps(long containerId) {
        return toHost(containerId).isPresent();
    }

    /** How many container IDs exist: the highest mapped ID plus one. */
    public long size() {
        return mappings.stream().mapToLong(m -> m.containerId() + m.count()).max().orElse(0);
    }

    /** The text written to /proc/PID/uid_map. */
    public String procText() {
        return mappings.stream().map(m -> m.containerId() + " " + m.hostId() + " " + m.count())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** The arguments newuidmap(1) takes after the PID. */
    public List<String> helperArgs() {
        return mappings.stream()
                .flatMap(m -> java.util.stream.Stream.of(m.containerId(), m.hostId(), m.count()))
                .map(String::valueOf).toList();
    }

    /** As /proc/self/uid_map shows it inside the container. */
    public String procView() {
        return mappings.stream().map(IdMapping::procLine).collect(Collectors.joining("\n", "", "\n"));
    }
}
