package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.it.TestUsers.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same `run` invocations through rootless podman (runc, host network, as .ci/provision-debian
 * sets it up for alice) and through jrun, on the same image: podman's localhost/busybox, saved
 * by podman and loaded into jrun. Their standard output and exit status must agree.
 */
class PodmanComparisonIT {
    static final String IMAGE = "localhost/busybox:latest";
    static final List<String> VOLUMES = List.of("jrun-cmp-new", "jrun-cmp-tmp", "jrun-cmp-etc");
    static User alice;
    static Path work;
    static Path store;
    static String home;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        alice = TestUsers.alice();
        TestInstall.dir();
        Host.require(Host.run(List.of("sh", "-c", "command -v podman && test -x /usr/sbin/runc")).exit() == 0,
                "podman and runc are needed to compare with podman (.ci/provision-debian installs them)");
        home = Host.check("sh", "-c", "getent passwd alice | cut -d: -f6").strip();
        Host.require(podman("image", "exists", IMAGE).exit() == 0,
                "alice's podman has no " + IMAGE + ": run .ci/provision-debian, which imports it");
        work = Files.createTempDirectory("jrun-it-compare-");
        Host.check("chown", "alice:", work.toString());
        store = work.resolve("store");
        Path archive = work.resolve("busybox.tar");
        Host.Result saved = podman("save", "--format", "oci-archive", "-o", archive.toString(), IMAGE);
        assertEquals(0, saved.exit(), saved.describe());
        Host.Result loaded = TestInstall.jrun("alice", Map.of("JRUN_ROOT", store.toString()), "load", "-i",
                archive.toString());
        assertEquals(0, loaded.exit(), loaded.describe());
    }

    @AfterAll
    static void tearDown() {
        if (work == null) return;
        for (String v : VOLUMES) podman("volume", "rm", "--force", v);
        // Rootless podman leaves a pause process behind: stop it, as the provisioning does.
        podman("system", "migrate");
        Host.run(List.of("rm", "-rf", "--one-file-system", work.toString()));
    }

    /** podman as alice from her home, without a login session (as .ci/provision-debian runs it). */
    static Host.Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "alice", "--", "env", "-u", "XDG_RUNTIME_DIR",
                "-u", "XDG_CONFIG_HOME", "-u", "XDG_DATA_HOME", "-C", home, "HOME=" + home, "JRUNCMP_A=1",
                "JRUNCMP_B=2", "podman"));
        cmd.addAll(List.of(args));
        return Host.run(cmd, null, 300);
    }

    static void compare(List<String> options, String... command) {
        List<String> p = Host.list("--runtime", "/usr/sbin/runc", "run", "--rm", "--network=host");
        p.addAll(options);
        p.add(IMAGE);
        p.addAll(List.of(command));
        Host.Result theirs = podman(p.toArray(String[]::new));

        List<String> j = Host.list("run", "--rm", "--pull=never", "--network", "host");
        j.addAll(options);
        j.add(IMAGE);
        j.addAll(List.of(command));
        Host.Result ours = TestInstall.jrun("alice", Map.of("JRUN_ROOT", store.toString(), "JRUNCMP_A", "1",
                "JRUNCMP_B", "2"), j.toArray(String[]::new));
        String what = "run " + String.join(" ", options) + " " + String.join(" ", command);
        assertEquals(theirs.exit(), ours.exit(), what + "\npodman: " + theirs.describe() + "\njrun: " + ours.describe());
        assertEquals(theirs.out(), ours.out(), what + "\npodman: " + theirs.describe() + "\njrun: " + ours.describe());
    }

    @Test
    void hostnameGroupsPasswdAndGroupLines() {
        compare(List.of("-h", "box"), "hostname");
        compare(List.of(), "hostname");
        compare(List.of("-u", "0"), "sh", "-c", "id; grep Groups /proc/self/status");
        compare(List.of(), "sh", "-c", "id; grep Groups /proc/self/status");
        compare(List.of("-u", "1234", "-w", "/tmp"), "sh", "-c", "id; whoami; echo $HOME; tail -1 /etc/passwd");
        compare(List.of("-u", "1234:55"), "sh", "-c", "id; tail -1 /etc/passwd; tail -1 /etc/group");
        compare(List.of("--passwd=false", "-u", "1234"), "sh", "-c", "id; echo $HOME");
    }

    @Test
    void readOnlyEntrypointEnvTermAndMtab() {
        compare(List.of("--read-only"), "sh", "-c", "touch /run/a /var/tmp/a /tmp/a && echo ok; "
                + "(echo x >> /etc/hosts) 2>/dev/null || echo hosts-read-only; ls -d /run /var/tmp");
        compare(List.of("--read-only", "--read-only-tmpfs=false"), "sh", "-c", "touch /tmp/a 2>/dev/null || echo ro");
        compare(List.of("--entrypoint", "[\"/bin/echo\",\"json\"]"), "a", "b");
        compare(List.of("-e", "JRUNCMP_*"), "sh", "-c", "env | grep ^JRUNCMP_ | sort");
        compare(List.of(), "sh", "-c", "echo $TERM");
        compare(List.of(), "readlink", "/etc/mtab");
    }

    @Test
    void namedVolumesAndTmpfs() {
        compare(List.of("-v", "jrun-cmp-new:/newvol"), "sh", "-c",
                "stat -c '%u %g %a' /newvol; ls -A /newvol; touch /newvol/x && echo ok");
        compare(List.of("-v", "jrun-cmp-new:/again"), "ls", "/again");
        compare(List.of("-v", "jrun-cmp-tmp:/tmp:ro"), "sh", "-c", "touch /tmp/x 2>/dev/null || echo ro");
        // A volume on /etc: filled from the image, and the hostname, hosts and resolv.conf on top.
        // (podman 4.3 writes /etc/hostname without a final newline, jrun with one: grep -c, not cat.)
        compare(List.of("-v", "jrun-cmp-etc:/etc"), "sh", "-c", "grep -c . /etc/hostname; cat /etc/group; ls /etc");
        compare(List.of("--tmpfs", "/scratch:size=1m,mode=700"), "sh", "-c", "grep ' /scratch ' /proc/mounts");
        compare(List.of("--mount", "type=tmpfs,target=/t,tmpfs-size=2m"), "sh", "-c", "grep ' /t ' /proc/mounts");
        Host.Result ls = TestInstall.jrun("alice", Map.of("JRUN_ROOT", store.toString()), "volume", "ls");
        assertTrue(ls.out().contains("local       jrun-cmp-new\n"), ls.describe());
        assertEquals(podman("volume", "ls").out().lines().filter(l -> l.contains("jrun-cmp")).toList(),
                ls.out().lines().filter(l -> l.contains("jrun-cmp")).toList());
    }
}
