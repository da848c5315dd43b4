package dev.jrun.image.layer;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * Everything in one layer that needs a chown inside the user namespace, in the order the
 * entries were extracted (parents before children). Apply it to the layer's {@code diff}
 * directory resolving each {@link OwnershipEntry#parent()} beneath the root without following
 * symlinks (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), then fchownat(name,
 * AT_SYMLINK_NOFOLLOW), then, if {@code restoreMode >= 0}, fchmodat.
 */
public record OwnershipPlan(List<OwnershipEntry> entries) {

    public OwnershipPlan {
        entries = List.copyOf(entries);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Highest UID used, -1 if none: lets the caller check it fits in the subordinate range. */
    public int maxUid() {
        return entries.stream().mapToInt(OwnershipEntry::uid).max().orElse(-1);
    }

    /** Highest GID used, -1 if none. */
    public int maxGid() {
        return entries.stream().mapToInt(OwnershipEntry::gid).max().orElse(-1);
    }
}
