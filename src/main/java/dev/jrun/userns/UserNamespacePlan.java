package dev.jrun.userns;

import java.nio.file.Path;

/**
 * The ID maps of a new user namespace and how to write them.
 *
 * @param setgroupsAllowed false for the single-ID fallback: an unprivileged writer of gid_map
 *     must first write "deny" to /proc/PID/setgroups (user_namespaces(7)), so the container
 *     cannot call setgroups(2) — the CVE-2014-8989 fix.
 */
public record UserNamespacePlan(IdMap uidMap, IdMap gidMap, MapWriter writer, boolean setgroupsAllowed,
                                Path newuidmap, Path newgidmap) {}
