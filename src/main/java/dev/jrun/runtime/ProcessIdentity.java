package dev.jrun.runtime;

import java.util.List;

/** Who the container's command runs as, in container IDs. */
public record ProcessIdentity(long uid, long gid, List<Long> supplementaryGroups, String home) {
    public ProcessIdentity {
        supplementaryGroups = List.copyOf(supplementaryGroups);
    }
}
