package dev.jrun.userns;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Chooses a new user namespace's ID maps the way podman and Docker do.
 *
 * <ul>
 *   <li>Unprivileged caller with subordinate IDs (podman rootless): container 0 is the caller,
 *       container 1.. are all of the caller's ranges, sorted by host start and stacked.</li>
 *   <li>Unprivileged caller without them: only container 0 = caller, with a warning.</li>
 *   <li>Root: the identity map, as {@code sudo podman run} gives.</li>
 *   <li>{@code --userns-remap=USER[:GROUP]}: container 0.. = USER's first range, as Docker's
 *       daemon setting of that name.</li>
 * </ul>
 */
public final class UserNamespacePlanner {
    private final HostIdentity caller;
    private final SubIdFile subuid;
    private final SubIdFile subgid;
    private final Optional<Path> newuidmap;
    private final Optional<Path> newgidmap;
    private final Consumer<String> warn;

    public UserNamespacePlanner(HostIdentity caller, SubIdFile subuid, SubIdFile subgid,
                                Optional<Path> newuidmap, Optional<Path> newgidmap, Consumer<String> warn) {
        this.caller = caller;
        this.subuid = subuid;
        this.subgid = subgid;
        this.newuidmap = newuidmap;
        this.newgidmap = newgidmap;
        this.warn = warn;
    }

    public UserNamespacePlan plan(Optional<String> usernsRemap) throws JrunException {
        if (usernsRemap.isPresent()) return remap(usernsRemap.get());
        if (caller.isRoot()) {
            return new UserNamespacePlan(IdMap.identity(), IdMap.identity(), MapWriter.DIRECT, true, null, null);
        }
        List<SubIdRange> uids = subuid.rangesOf(caller.userName(), caller.uid(), warn);
        List<SubIdRange> gids = subgid.rangesOf(caller.userName(), caller.uid(), warn);
        if (uids.isEmpty() || gids.isEmpty() || newuidmap.isEmpty() || newgidmap.isEmpty()) {
            warn.accept(singleMappingReason(uids.isEmpty() || gids.isEmpty()));
            return new UserNamespacePlan(
                    new IdMap(List.of(new IdMapping(0, caller.uid(), 1))),
                    new IdMap(List.of(new IdMapping(0, caller.gid(), 1))),
                    MapWriter.DIRECT, false, null, null);
        }
        return new UserNamespacePlan(
                stacked(caller.uid(), uids, subuid.path(), "UID"),
                stacked(caller.gid(), gids, subgid.path(), "GID"),
                MapWriter.SETUID_HELPERS, true, newuidmap.get(), newgidmap.get());
    }

    private String singleMappingReason(boolean noRanges) {
        String user = caller.userName();
        if (noRanges) {
            return "no subordinate IDs for " + user + " in " + subuid.path() + " and " + subgid.path()
                    + ": the container has only one UID and GID (yours, as root). To get 65536, run as root: "
                    + "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + user;
        }
        return "newuidmap/newgidmap not found: the container has only one UID and GID (yours, as root). "
                + "Install them with: apt-get install uidmap";
    }

    /** Container 0 is the caller's own ID; 1.. are the ranges by host start, one after another. */
    private IdMap stacked(long ownId, List<SubIdRange> ranges, Path file, String kind) throws JrunException {
        List<SubIdRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(SubIdRange::start));
        List<IdMapping> mappings = new ArrayList<>();
        mappings.add(new IdMapping(0, ownId, 1));
        long next = 1;
        long covered = -1;   // one past the highest host ID used so far
        for (SubIdRange r : sorted) {
            if (r.contains(ownId)) {
                // As podman: mapping our own ID twice would let container root and that
                // subordinate ID be the same host user, defeating the split.
                throw new JrunException(file + " gives " + caller.userName() + " the range " + r.start() + ":"
                        + r.count() + ", which contains your own " + kind + " " + ownId
                        + "; remove that range (usermod --del-sub" + kind.toLowerCase() + "s " + r.start() + "-"
                        + (r.end() - 1) + " " + caller.userName() + ") and try again");
            }
            long start = Math.max(r.start(), covered);
            if (start >= r.end()) {
                warn.accept(file + ": range " + r.start() + ":" + r.count() + " of " + caller.userName()
                        + " lies inside an earlier one; ignored");
                continue;
            }
            if (start != r.start()) {
                warn.accept(file + ": range " + r.start() + ":" + r.count() + " of " + caller.userName()
                        + " overlaps an earlier one; using " + start + ".." + (r.end() - 1));
            }
            // The kernel refuses overlapping host ranges in one map, so each host ID is used once.
            mappings.add(new IdMapping(next, start, r.end() - start));
            next += r.end() - start;
            covered = r.end();
        }
        if (mappings.size() > IdMap.MAX_LINES) {
            throw new JrunException(file + " gives " + caller.userName() + " " + (mappings.size() - 1)
                    + " ranges; the kernel accepts at most " + (IdMap.MAX_LINES - 1)
                    + " besides your own ID. Merge adjacent ranges in " + file);
        }
        return new IdMap(mappings);
    }

    private UserNamespacePlan remap(String spec) throws JrunException {
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new JrunException("--userns-remap " + spec + ": expected USER or USER:GROUP");
        }
        String user = parts[0];
        String group = parts.length == 2 ? parts[1] : user;
        SubIdRange uid = firstRange(subuid, user);
        SubIdRange gid = firstRange(subgid, group);
        IdMap uidMap = new IdMap(List.of(new IdMapping(0, uid.start(), uid.count())));
        IdMap gidMap = new IdMap(List.of(new IdMapping(0, gid.start(), gid.count())));
        if (caller.isRoot()) {
            return new UserNamespacePlan(uidMap, gidMap, MapWriter.DIRECT, true, null, null);
        }
        // Unprivileged: newuidmap accepts the map only if the range is the caller's own.
        if (newuidmap.isEmpty() || newgidmap.isEmpty()) {
            throw new JrunException("--userns-remap " + spec + " needs newuidmap and newgidmap when not run as "
                    + "root; install them with: apt-get install uidmap");
        }
        return new UserNamespacePlan(uidMap, gidMap, MapWriter.SETUID_HELPERS, true, newuidmap.get(),
                newgidmap.get());
    }

    private SubIdRange firstRange(SubIdFile file, String name) throws JrunException {
        long numeric = name.chars().allMatch(Character::isDigit) ? Long.parseLong(name) : -1;
        List<SubIdRange> ranges = file.rangesOf(name, numeric, warn);
        if (ranges.isEmpty()) {
            throw new JrunException("--userns-remap " + name + ": " + file.path() + " has no range for " + name
                    + "; add one as root: usermod --add-subuids 231072-296607 --add-subgids 231072-296607 "
                    + name);
        }
        return ranges.get(0);
    }
}
