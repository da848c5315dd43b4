package dev.jrun.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Unprivileged users with known subordinate ranges, created on demand (idempotent): alice with
 * one range of 65536 (whatever useradd gave her), bob with the article's split ranges, and
 * carol with none.
 */
public final class TestUsers {
    private TestUsers() {}

    public record Range(long start, long count) {}

    public record User(String name, long uid, long gid, List<Range> subuid, List<Range> subgid) {}

    /** bob's /etc/subuid lines after the article's usermod --del-subuids / --add-subuids. */
    public static final List<Range> BOB_SUBUID = List.of(new Range(296608, 392), new Range(302001, 60143),
            new Range(297000, 5001));

    public static synchronized User alice() {
        ensureUser("alice");
        if (ranges("/etc/subuid", "alice").isEmpty() || ranges("/etc/subgid", "alice").isEmpty()) {
            Host.check("usermod", "--add-subuids", "100000-165535", "--add-subgids", "100000-165535", "alice");
        }
        return read("alice");
    }

    public static synchronized User bob() {
        ensureUser("bob");
        List<Range> uids = ranges("/etc/subuid", "bob");
        if (!uids.containsAll(BOB_SUBUID) || uids.size() != BOB_SUBUID.size()) {
            for (Range r : uids) {
                Host.check("usermod", "--del-subuids", r.start() + "-" + (r.start() + r.count() - 1), "bob");
            }
            // As in the article: one range, a hole punched in it, the hole given back.
            Host.check("usermod", "--add-subuids", "296608-362143", "bob");
            Host.check("usermod", "--del-subuids", "297000-302000", "bob");
            Host.check("usermod", "--add-subuids", "297000-302000", "bob");
        }
        if (ranges("/etc/subgid", "bob").isEmpty()) {
            Host.check("usermod", "--add-subgids", "296608-362143", "bob");
        }
        return read("bob");
    }

    /** A user without subordinate IDs: jrun falls back to mapping only them. */
    public static synchronized User carol() {
        ensureUser("carol");
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            for (Range r : ranges(file, "carol")) {
                String flag = file.endsWith("subuid") ? "--del-subuids" : "--del-subgids";
                Host.check("usermod", flag, r.start() + "-" + (r.start() + r.count() - 1), "carol");
            }
        }
        return read("carol");
    }

    private static void ensureUser(String name) {
        if (Host.run(List.of("id", "-u", name)).exit() == 0) return;
        // No automatic ranges: the tests choose them, so they never overlap another user's.
        Host.check("useradd", "-m", "-s", "/bin/bash", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name);
    }

    private static User read(String name) {
        long uid = Long.parseLong(Host.check("id", "-u", name).strip());
        long gid = Long.parseLong(Host.check("id", "-g", name).strip());
        return new User(name, uid, gid, ranges("/etc/subuid", name), ranges("/etc/subgid", name));
    }

    static List<Range> ranges(String file, String name) {
        List<Range> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.split(":");
                if (f.length == 3 && f[0].equals(name)) out.add(new Range(Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        } catch (IOException e) {
            // no file: no ranges
        }
        return out;
    }
}
