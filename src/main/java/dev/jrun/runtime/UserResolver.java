package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.userns.IdMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves {@code -u USER[:GROUP]} against the container's own /etc/passwd and /etc/group, as
 * runc and crun do: names and numbers, the primary group from passwd, supplementary groups
 * from every group that lists the user.
 */
public final class UserResolver {
    private static final int PASSWD_LIMIT = 4 << 20;   // a hostile image may ship a huge file

    private record PasswdEntry(String name, long uid, long gid, String home) {}

    private record GroupEntry(String name, long gid, List<String> members) {}

    private final RootfsView rootfs;

    public UserResolver(RootfsView rootfs) {
        this.rootfs = rootfs;
    }

    public ProcessIdentity resolve(Optional<String> spec, IdMap uidMap, IdMap gidMap) throws JrunException {
        String userPart = spec.map(s -> s.contains(":") ? s.substring(0, s.indexOf(':')) : s).orElse("0");
        Optional<String> groupPart = spec.filter(s -> s.contains(":")).map(s -> s.substring(s.indexOf(':') + 1));
        if (userPart.isEmpty() || groupPart.map(String::isEmpty).orElse(false)) {
            throw new JrunException("--user " + spec.orElse("") + ": expected USER[:GROUP], by name or number");
        }
        List<PasswdEntry> passwd = passwd();
        PasswdEntry entry = null;
        long uid;
        if (isNumber(userPart)) {
            uid = Long.parseLong(userPart);
            for (PasswdEntry e : passwd) if (e.uid() == uid) { entry = e; break; }
        } else {
            for (PasswdEntry e : passwd) if (e.name().equals(userPart)) { entry = e; break; }
            if (entry == null) {
                throw new JrunException("--user " + userPart + ": no such user in the container's /etc/passwd; "
                        + "give a numeric UID or a user the image defines");
            }
            uid = entry.uid();
        }
        List<GroupEntry> groups = groups();
        long gid = entry != null ? entry.gid() : 0;
        if (groupPart.isPresent()) {
            String g = groupPart.get();
            if (isNumber(g)) {
                gid = Long.parseLong(g);
            } else {
                gid = groups.stream().filter(e -> e.name().equals(g)).findFirst()
                        .orElseThrow(() -> new JrunException("--user " + spec.get() + ": no group " + g
                                + " in the container's /etc/group; give a numeric GID or a group the image defines"))
                        .gid();
            }
        }
        List<Long> supplementary = new ArrayList<>();
        // As podman (runc's GetExecUser): a user given by -u or the image's User also keeps its
        // primary group in the supplementary list ("id" shows groups=1000(app),2000(extra), and
        // -u 0 gives Groups: 0); without any user the list stays empty.
        if (spec.isPresent()) supplementary.add(gid);
        if (entry != null && groupPart.isEmpty()) {
            for (GroupEntry g : groups) {
                if (g.members().contains(entry.name()) && !supplementary.contains(g.gid())) supplementary.add(g.gid());
            }
        }
        requireMapped("UID", uid, uidMap, "/etc/subuid", "--add-subuids");
        requireMapped("GID", gid, gidMap, "/etc/subgid", "--add-subgids");
        for (long g : supplementary) requireMapped("GID", g, gidMap, "/etc/subgid", "--add-subgids");
        String home = entry != null && !entry.home().isEmpty() ? entry.home() : "/";
        return new ProcessIdentity(uid, gid, supplementary, home);
    }

    /** Whether the container's /etc/passwd has a line for this UID. */
    boolean knowsUid(long uid) throws JrunException {
        return passwd().stream().anyMatch(e -> e.uid() == uid);
    }

    /** Whether the container's /etc/group has a line for this GID. */
    boolean knowsGid(long gid) throws JrunException {
        return groups().stream().anyMatch(e -> e.gid() == gid);
    }

    private static void requireMapped(String kind, long id, IdMap map, String file, String flag)
            throws JrunException {
        if (map.maps(id)) return;
        throw new JrunException("--user: container " + kind + " " + id + " is not mapped: your user namespace has "
                + kind + "s 0-" + (map.size() - 1) + " only. Give yourself a larger range in " + file
                + " (as root: usermod " + flag + " START-END $USER) or choose a smaller " + kind);
    }

    private List<PasswdEntry> passwd() throws JrunException {
        List<PasswdEntry> entries = new ArrayList<>();
        for (String[] f : records("/etc/passwd")) {
            if (f.length < 6 || !isNumber(f[2]) || !isNumber(f[3])) continue;
            entries.add(new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f[5]));
        }
        return entries;
    }

    private List<GroupEntry> groups() throws JrunException {
        List<GroupEntry> entries = new ArrayList<>();
        for (String[] f : records("/etc/group")) {
            if (f.length < 3 || !isNumber(f[2])) continue;
            List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
            entries.add(new GroupEntry(f[0], Long.parseLong(f[2]), members));
        }
        return entries;
    }

    private List<String[]> records(String file) throws JrunException {
        Optional<byte[]> bytes;
        try {
            bytes = rootfs.read(file, PASSWD_LIMIT);
        } catch (IOException e) {
            throw new JrunException("read the container's " + file + ": " + e.getMessage(), e);
        }
        List<String[]> out = new ArrayList<>();
        if (bytes.isEmpty()) return out;
        for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9')
                && Long.parseLong(s) <= IdMap.MAX_ID;
    }
}
