package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.it.TestUsers.User;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host settings that stop jrun: each must give exit 125 and a message naming the setting.
 * These tests change the host for a moment (a sysctl, newuidmap's mode) and put it back.
 */
class BadInputIT {
    static User alice;
    static String rootfs;

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        rootfs = TestInstall.rootfs().toString();
    }

    /**
     * A sandbox that forbids nested user namespaces, made with bwrap --disable-userns (which
     * works through the user.max_user_namespaces limit): these machines refuse writes to the
     * sysctl itself, so the test cannot switch it off host-wide.
     */
    @Test
    void userNamespacesDisabledNamesTheSysctl() {
        User carol = TestUsers.carol();
        Host.require(Host.run(List.of("bwrap", "--version")).exit() == 0,
                "bwrap is missing: apt-get install bubblewrap (.ci/provision-debian installs it)");
        List<String> cmd = Host.list("runuser", "-u", carol.name(), "--", "bwrap", "--dev-bind", "/", "/",
                "--unshare-user", "--disable-userns", "--");
        List<String> jrun = TestInstall.command(carol.name(), "run", "--rm", "--rootfs", rootfs, "true");
        cmd.addAll(jrun.subList(jrun.indexOf("env"), jrun.size()));
        Host.Result r = Host.run(cmd, TestInstall.dir().toFile(), 60);
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains("create the container's namespaces: No space left on device"), r.describe());
        assertTrue(r.err().contains("user.max_user_namespaces"), r.describe());
        assertTrue(r.err().contains("sysctl -w user.max_user_namespaces=15000"), r.describe());
    }

    @Test
    void newuidmapThatIsNotSetuidIsNamed() {
        String helper = Host.check("sh", "-c", "command -v newuidmap").strip();
        String mode = Host.check("stat", "-c", "%a", helper).strip();
        Host.require(Host.run(List.of("getcap", helper)).out().isBlank(),
                helper + " has file capabilities; this test needs the setuid variant Debian ships");
        Host.Result r;
        try {
            Host.check("chmod", "u-s", helper);
            r = TestInstall.jrun("alice", "run", "--rm", "--rootfs", rootfs, "true");
        } finally {
            Host.check("chmod", mode, helper);
        }
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains(helper + " is neither setuid root nor has file capabilities"), r.describe());
        assertTrue(r.err().contains("apt-get install --reinstall uidmap"), r.describe());
    }

    /**
     * A newuidmap that fails must not leave jrun hanging (the child waits for its maps) and its
     * own words reach the user. The failing helper is a real setuid-root binary: busybox, which
     * does not know an applet of that name, placed first in $PATH.
     */
    @Test
    void aFailingNewuidmapIsReportedWithItsOwnMessage() throws Exception {
        java.nio.file.Path bin = java.nio.file.Files.createTempDirectory("jrun-it-fakebin-");
        try {
            Host.check("chmod", "755", bin.toString());
            for (String helper : List.of("newuidmap", "newgidmap")) {
                Host.check("cp", "/bin/busybox", bin.resolve(helper).toString());
                Host.check("chmod", "4755", bin.resolve(helper).toString());
            }
            long started = System.nanoTime();
            Host.Result r = TestInstall.jrun("alice", java.util.Map.of("PATH", bin + ":/usr/bin:/bin"),
                    "run", "--rm", "--rootfs", rootfs, "true");
            assertEquals(125, r.exit(), r.describe());
            assertTrue(r.err().contains("newuidmap") && r.err().contains("failed (exit 127)"), r.describe());
            assertTrue(r.err().contains("applet not found"), "the helper's own message: " + r.describe());
            assertTrue(System.nanoTime() - started < 60_000_000_000L, "jrun must not wait for maps that never come");
        } finally {
            Host.run(List.of("rm", "-rf", bin.toString()));
        }
    }

    @Test
    void aUidBeyondTheSubordinateRangeIsRefused() {
        long size = alice.subuid().stream().mapToLong(TestUsers.Range::count).sum() + 1;
        Host.Result r = TestInstall.jrun("alice", "run", "--rm", "-u", String.valueOf(size), "--rootfs", rootfs, "true");
        assertEquals(125, r.exit(), r.describe());
        assertTrue(r.err().contains("container UID " + size + " is not mapped"), r.describe());
        assertTrue(r.err().contains("/etc/subuid"), r.describe());
    }
}
