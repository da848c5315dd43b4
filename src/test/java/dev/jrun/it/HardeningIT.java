package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.it.TestUsers.User;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a hostile container meets, as an unprivileged user: podman's seccomp filter with podman's
 * errno for each refused call, a keyring of its own, the capabilities asked for, podman's masks.
 * A small static C probe (src/test/resources/dev/jrun/it/probe.c), built here, makes the calls.
 */
class HardeningIT {
    static User alice;
    static String rootfs;
    static Path work;
    static Path probeDir;
    static boolean ranPodman;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        alice = TestUsers.alice();
        rootfs = TestInstall.rootfs().toString();
        TestInstall.dir();
        work = Files.createTempDirectory("jrun-it-hardening-");
        probeDir = Files.createDirectories(work.resolve("probe"));
        Path source = work.resolve("probe.c");
        try (InputStream in = HardeningIT.class.getResourceAsStream("probe.c")) {
            Files.write(source, in.readAllBytes());
        }
        Host.Result gcc = Host.run(List.of("gcc", "-static", "-O2", "-o", probeDir.resolve("probe").toString(),
                source.toString(), "-lpthread"));
        Host.require(gcc.exit() == 0, "cannot build the static probe (apt-get install gcc libc6-dev; "
                + ".ci/provision-debian installs them): " + gcc.describe());
        Host.check("chmod", "-R", "a+rX", work.toString());
    }

    @AfterAll
    static void cleanUp() {
        // Rootless podman leaves a pause process holding its user namespace: stop it.
        if (ranPodman) Host.run(List.of("runuser", "-u", "alice", "--", "podman", "system", "migrate"),
                Path.of("/tmp").toFile(), 60);
        if (work != null) Host.run(List.of("rm", "-rf", work.toString()));
    }

    private static Host.Result jrun(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "--rm", "-v", probeDir + ":/data:ro"));
        all.addAll(List.of(args));
        return TestInstall.jrun(alice.name(), all.toArray(String[]::new));
    }

    private static String ok(Host.Result r) {
        if (r.exit() != 0) fail(r.describe());
        return r.out();
    }

    /** "name errno" lines of the probe as a map. */
    private static Map<String, Integer> calls(String out) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] p = line.split(" ");
            m.put(p[0], Integer.parseInt(p[1]));
        }
        return m;
    }

    private static final int EPERM = 1, EINVAL = 22, ENOSYS = 38;

    @Test
    void podmansFilterRefusesTheCallsWithPodmansErrno() {
        assertTrue(ok(jrun("--rootfs", rootfs, "grep", "Seccomp:", "/proc/self/status")).matches("Seccomp:\\s+2\n"));
        Map<String, Integer> got = calls(ok(jrun("--network", "none", "--rootfs", rootfs, "/data/probe", "calls")));
        // What /usr/share/containers/seccomp.json says: unlisted calls ENOSYS, perf_event_open
        // without CAP_SYS_ADMIN EPERM, an audit netlink socket without CAP_AUDIT_WRITE EINVAL.
        assertEquals(ENOSYS, got.get("io_uring_setup"), got.toString());
        assertEquals(ENOSYS, got.get("add_key"), got.toString());
        assertEquals(EPERM, got.get("perf_event_open"), got.toString());
        assertEquals(EINVAL, got.get("netlink_audit"), got.toString());
        assertNotEquals(0, got.get("userfaultfd"), got.toString());

        // And exactly what podman (with runc) gives the same probe as the same user, also when
        // the capabilities change which rules apply.
        for (List<String> options : List.of(List.<String>of(), List.of("--cap-add", "SYS_ADMIN"),
                List.of("--cap-drop", "ALL"), List.of("--privileged"))) {
            String script = "grep -E 'CapBnd|Seccomp:' /proc/self/status; /data/probe calls";
            List<String> podmanCmd = new ArrayList<>(List.of("runuser", "-u", "alice", "--", "env", "-C", "/tmp",
                    "podman", "--runtime", "/usr/sbin/runc", "run", "--rm", "--network=none", "-v", probeDir + ":/data:ro"));
            podmanCmd.addAll(options);
            podmanCmd.addAll(List.of("localhost/busybox:latest", "sh", "-c", script));
            Host.Result podman = Host.run(podmanCmd, null, 120);
            ranPodman = true;
            Host.require(podman.exit() == 0, "podman cannot run localhost/busybox as alice (.ci/provision-debian sets "
                    + "it up): " + podman.describe());
            List<String> jrunArgs = new ArrayList<>(List.of("--network", "none"));
            jrunArgs.addAll(options);
            jrunArgs.addAll(List.of("--rootfs", rootfs, "sh", "-c", script));
            assertEquals(podman.out(), ok(jrun(jrunArgs.toArray(String[]::new))), "with " + options);
        }
    }

    @Test
    void unconfinedAllowsThemAgainAndAProfileFileIsObeyed() throws IOException {
        Host.Result r = jrun("--security-opt", "seccomp=unconfined", "--network", "none", "--rootfs", rootfs, "sh", "-c",
                "grep Seccomp: /proc/self/status; /data/probe calls");
        String out = ok(r);
        assertTrue(out.startsWith("Seccomp:\t0\n"), out);
        Map<String, Integer> got = calls(out.substring(out.indexOf('\n') + 1));
        assertEquals(0, got.get("add_key"), got.toString());
        assertEquals(0, got.get("netlink_audit"), got.toString());
        assertEquals(0, got.get("io_uring_setup"), got.toString());

        Path profile = work.resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
                """);
        Host.check("chmod", "a+r", profile.toString());
        Host.Result mkdir = jrun("--security-opt", "seccomp=" + profile, "--rootfs", rootfs, "mkdir", "/tmp/x");
        assertEquals(1, mkdir.exit(), mkdir.describe());
        assertTrue(mkdir.err().contains("Permission denied"), mkdir.describe());

        // A profile that refuses what jrun itself does after loading it (for a non-root user, the
        // switch of identity) is named as the cause, with the way out.
        Path noSetuid = work.resolve("no-setresuid.json");
        Files.writeString(noSetuid, """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setresuid"], "action": "SCMP_ACT_ERRNO"}]}
                """);
        Host.check("chmod", "a+r", noSetuid.toString());
        Host.Result refused = jrun("-u", "1000", "--security-opt", "seccomp=" + noSetuid, "--rootfs", rootfs, "true");
        assertEquals(125, refused.exit(), refused.describe());
        assertTrue(refused.err().contains("switch to user 1000: Operation not permitted; the seccomp profile refuses "
                + "a call jrun makes after loading it"), refused.describe());
        assertEquals("1000\n", ok(jrun("-u", "1000", "--security-opt", "no-new-privileges", "--security-opt",
                "seccomp=" + noSetuid, "--rootfs", rootfs, "id", "-u")));

        Host.Result missing = jrun("--security-opt", "seccomp=/nonexistent.json", "--rootfs", rootfs, "true");
        assertEquals(125, missing.exit(), missing.describe());
        assertTrue(missing.err().contains("seccomp=/nonexistent.json: no such file"), missing.describe());
    }

    @Test
    void ordinaryWorkloadsRunUnderTheFilterAlsoAsAnotherUser() {
        assertEquals("ok\n", ok(jrun("--rootfs", rootfs, "sh", "-c", "ls / >/dev/null && cat /etc/passwd >/dev/null "
                + "&& echo ok")));
        assertEquals("threads 0\n", ok(jrun("--rootfs", rootfs, "/data/probe", "threads")));
        // A non-root user: the filter goes in before the switch of identity (no no_new_privs).
        assertEquals("1000\nSeccomp:\t2\n", ok(jrun("-u", "1000", "--rootfs", rootfs, "sh", "-c",
                "id -u; grep Seccomp: /proc/self/status")));
        // With no_new_privs the filter is the very last step, for root and for others.
        assertEquals("1000\nNoNewPrivs:\t1\nSeccomp:\t2\n", ok(jrun("-u", "1000", "--security-opt",
                "no-new-privileges", "--rootfs", rootfs, "sh", "-c", "id -u; grep -E 'NoNewPrivs|Seccomp:' /proc/self/status")));
    }

    /**
     * Real programs of this Debian host, dynamically linked, under the filter: dpkg -l lists what
     * it lists on the host, and a JVM (threads, futexes, mmap, signals) starts.
     */
    @Test
    void theHostsDpkgAndJavaRunUnderTheFilter() throws Exception {
        Path root = work.resolve("usr-root");
        for (String d : List.of("usr", "etc", "proc", "sys", "dev", "tmp", "run", "var/lib/dpkg")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String link : List.of("bin", "sbin", "lib", "lib64")) {
            Files.createSymbolicLink(root.resolve(link), Path.of("usr", link));
        }
        Host.check("chmod", "-R", "a+rX", root.toString());
        List<String> binds = List.of("--rootfs", root.toString(), "-v", "/usr:/usr:ro", "-v", "/etc:/etc:ro",
                "-v", "/var/lib/dpkg:/var/lib/dpkg:ro");
        List<String> dpkg = new ArrayList<>(List.of("run", "--rm"));
        dpkg.addAll(binds);
        dpkg.addAll(List.of("/usr/bin/dpkg", "-l"));
        assertEquals(Host.check("dpkg", "-l"), ok(TestInstall.jrun(alice.name(), dpkg.toArray(String[]::new))));

        String javaHome = System.getProperty("java.home");
        Host.require(javaHome.startsWith("/usr/"), "the JVM running the tests is not under /usr: " + javaHome);
        List<String> java = new ArrayList<>(List.of("run", "--rm"));
        java.addAll(binds);
        java.addAll(List.of(javaHome + "/bin/java", "-XX:+UseSerialGC", "-version"));
        Host.Result r = TestInstall.jrun(alice.name(), java.toArray(String[]::new));
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.err().contains("Runtime Environment"), r.describe());
    }

    @Test
    void aKeyInTheCallersSessionKeyringIsNotReachableInside() {
        // Baseline: the probe, in the session keyring it made, can see and read its key.
        String probe = probeDir.resolve("probe").toString();
        Host.Result host = Host.run(List.of("runuser", "-u", "alice", "--", probe, "addkey", probe, "keys", "KEY"));
        assertEquals("session_read 0\nsession_has_key 1\nkey_read 0\n", after1(host));
        // jrun started from that session: the container has a keyring of its own.
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "alice", "--", probe, "addkey"));
        List<String> jrunCmd = TestInstall.command("alice", "run", "--rm", "-v", probeDir + ":/data:ro", "--rootfs", rootfs,
                "/data/probe", "keys", "KEY");
        cmd.addAll(jrunCmd.subList(jrunCmd.indexOf("--") + 1, jrunCmd.size()));   // after "runuser -u alice --"
        Host.Result inside = Host.run(cmd, TestInstall.dir().toFile(), 120);
        String out = after1(inside);
        assertTrue(out.contains("session_has_key 0\n"), inside.describe());
        assertFalse(out.contains("key_read 0\n"), inside.describe());
    }

    @Test
    void aKeyInTheSessionOfJrunExecIsNotReachableInsideEither() throws Exception {
        Path store = Files.createDirectories(work.resolve("exec-store"));
        Host.check("chown", "alice:", store.toString());
        String probe = probeDir.resolve("probe").toString();
        Host.Result started = TestInstall.jrun(alice.name(), "--root", store.toString(), "run", "-d", "--rm", "--name",
                "keys", "-v", probeDir + ":/data:ro", "--rootfs", rootfs, "sleep", "987");
        assertEquals(0, started.exit(), started.describe());
        try {
            List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "alice", "--", probe, "addkey"));
            List<String> exec = TestInstall.command("alice", "--root", store.toString(), "exec", "keys", "/data/probe",
                    "keys", "KEY");
            cmd.addAll(exec.subList(exec.indexOf("--") + 1, exec.size()));
            Host.Result inside = Host.run(cmd, TestInstall.dir().toFile(), 120);
            String out = after1(inside);
            assertTrue(out.contains("session_has_key 0\n"), inside.describe());
            assertFalse(out.contains("key_read 0\n"), inside.describe());
        } finally {
            TestInstall.jrun(alice.name(), "--root", store.toString(), "rm", "-f", "keys");
        }
    }

    /** The probe's output after its first line (the key's serial). */
    private static String after1(Host.Result r) {
        if (r.exit() != 0) fail(r.describe());
        return r.out().substring(r.out().indexOf('\n') + 1);
    }

    private static long capField(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
        }
        throw new AssertionError("no " + field + " in " + status);
    }

    @Test
    void capabilityOptionsGiveTheBoundingSetAskedFor() throws IOException {
        // (Not Files.readString: procfs reports size 0 and it was seen to read "4" for "40".)
        int lastCap = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).strip());
        long all = (1L << (lastCap + 1)) - 1;
        String dropped = ok(jrun("--cap-drop", "ALL", "--rootfs", rootfs, "cat", "/proc/self/status"));
        assertEquals(0, capField(dropped, "CapEff"));
        assertEquals(0, capField(dropped, "CapBnd"));
        String netAdmin = ok(jrun("--cap-drop", "all", "--cap-add", "net_admin,CAP_KILL", "--rootfs", rootfs, "cat",
                "/proc/self/status"));
        assertEquals((1L << 12) | (1L << 5), capField(netAdmin, "CapEff"));
        String privileged = ok(jrun("--privileged", "--rootfs", rootfs, "sh", "-c",
                "cat /proc/self/status; cat /proc/self/mountinfo"));
        assertEquals(all, capField(privileged, "CapEff"));
        assertEquals(all, capField(privileged, "CapBnd"));
        assertTrue(privileged.contains("Seccomp:\t0\n"), privileged);
        assertFalse(privileged.contains(" /proc/keys "), "--privileged masks nothing: " + privileged);
        Host.Result bad = jrun("--cap-add", "SYS_EVERYTHING", "--rootfs", rootfs, "true");
        assertEquals(125, bad.exit(), bad.describe());
        assertTrue(bad.err().contains("--cap-add SYS_EVERYTHING: not a capability name"), bad.describe());
    }

    @Test
    void podmansMasksProcSourceAndContainerenv() {
        String mounts = ok(jrun("--read-only", "--network", "host", "--rootfs", rootfs, "sh", "-c",
                "cat /proc/self/mountinfo; test -f /run/.containerenv && echo containerenv"));
        assertTrue(mounts.matches("(?s).* /proc rw,[^ ]* - proc proc .*"), mounts);
        // With the host's network its /sys is bound in, and /sys/kernel hidden, as podman does.
        assertTrue(mounts.contains(" /sys/kernel ro,"), mounts);
        assertTrue(mounts.contains(" /proc/keys "), mounts);
        assertTrue(mounts.endsWith("containerenv\n"), mounts);

        String custom = ok(jrun("--security-opt", "mask=/etc/passwd:/home", "--security-opt", "unmask=/proc/k*",
                "--security-opt", "label=disable", "--rootfs", rootfs, "sh", "-c",
                "wc -c < /etc/passwd; ls /home | wc -l; grep -c ' /proc/keys ' /proc/self/mountinfo || true"));
        assertEquals("0\n0\n0\n", custom);
        Host.Result unknown = jrun("--security-opt", "shiny=yes", "--rootfs", rootfs, "true");
        assertEquals(125, unknown.exit(), unknown.describe());
        assertTrue(unknown.err().contains("--security-opt shiny=yes: unknown option"), unknown.describe());
    }
}
