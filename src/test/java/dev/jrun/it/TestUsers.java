package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The unprivileged test users, as .ci/provision-debian creates them: alice with one range of
 * 65536, bob with the article's three split ranges, and carol with none. The tests only check
 * and read them. They create no user and change no range: Debian's useradd rewrites
 * /etc/subuid sorted by start (undoing the order of bob's lines), and usermod refuses a user
 * with running processes.
 */
public final class TestUsers {
    private TestUsers() {}

    public record Range(long start, long count) {}

    public record User(String name, long uid, long gid, List<Range> subuid, List<Range> subgid) {}

    /** bob's /etc/subuid lines after the article's usermod --del-subuids / --add-subuids. */
    public static final List<Range> BOB_SUBUID = List.of(new Range(296608, 392), new Range(302001, 60143),
            new Range(297000, 5001));

    public static synchronized User alice() {
        User alice = provisioned("alice");
        expect(!alice.subuid().isEmpty() && !alice.subgid().isEmpty(), alice,
                "at least one subordinate UID and one subordinate GID range");
        return alice;
    }

    /** bob's three ranges, in whatever order /etc/subuid lists them (jrun sorts them). */
    public static synchronized User bob() {
        User bob = provisioned("bob");
        expect(bob.subuid().size() == BOB_SUBUID.size() && new HashSet<>(bob.subuid()).equals(new HashSet<>(BOB_SUBUID))
                && !bob.subgid().isEmpty(), bob, "the article's subordinate UIDs " + BOB_SUBUID + " and a GID range");
        return bob;
    }

    /** A user without subordinate IDs: jrun falls back to mapping only them. */
    public static synchronized User carol() {
        User carol = provisioned("carol");
        expect(carol.subuid().isEmpty() && carol.subgid().isEmpty(), carol, "no subordinate ranges");
        return carol;
    }

    private static User provisioned(String name) {
        if (Host.run(List.of("id", "-u", name)).exit() != 0) {
            fail("no test user " + name + " on this host: run .ci/provision-debian as root first"
                    + " (it creates every test user with its subordinate ranges; .ci/test-all runs it)");
        }
        return read(name);
    }

    private static void expect(boolean ok, User user, String what) {
        if (!ok) {
            fail("test user " + user.name() + " should have " + what + " but has subuid " + user.subuid()
                    + ", subgid " + user.subgid() + " (/etc/subuid, /etc/subgid): run .ci/provision-debian as root,"
                    + " which sets the test users' ranges");
        }
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
