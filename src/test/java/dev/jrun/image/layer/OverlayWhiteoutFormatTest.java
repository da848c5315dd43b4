package dev.jrun.image.layer;

import dev.jrun.testing.Environment;
import dev.jrun.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Proves the {@link LayerFormat} choice on this kernel: an unprivileged user unpacks two layers
 * (no user namespace: the 0/0 whiteout mknod and user.overlay.opaque need none), then mounts
 * them directly as lowerdirs of an overlay in its own user namespace with {@code userxattr};
 * the merged view has whiteouts and opaque directories applied.
 * Needs root and the user {@value #USER} that .ci/provision-debian creates; when it cannot make
 * its real check it fails or skips by {@link Environment}'s rule.
 */
class OverlayWhiteoutFormatTest {

    private static final String USER = "jrunlayertest";

    @TempDir
    Path temp;

    @Test
    void unpackedLayersWorkAsOverlayLowerdirsForAnUnprivilegedUser() throws Exception {
        Environment.require(isRoot(), "needs root to run as the unprivileged user " + USER + " (runuser)");
        Environment.require(run(List.of("sh", "-c", "command -v unshare && command -v runuser")).exitCode == 0,
                "needs unshare and runuser (apt-get install util-linux)");
        // The user comes from the provisioning: a useradd here would rewrite /etc/subuid sorted
        // by start (Debian's shadow does), undoing the order of bob's lines that ExamplesIT shows.
        Result id = run(List.of("id", "-u", USER));
        assertEquals(0, id.exitCode, "no user " + USER + " (" + id.output.strip() + "): run .ci/provision-debian"
                + " as root first; it creates every test user");

        // The user unpacks (the unprivileged mknod of the 0/0 whiteout and the user.* xattr are
        // part of what is proven) and mounts; the test only prepares files it can read.
        Result own = run(List.of("chown", USER + ":" + USER, temp.toString()));
        assertEquals(0, own.exitCode, own.output);
        Path lowerTar = temp.resolve("lower.tar");
        Path upperTar = temp.resolve("upper.tar.gz");
        Files.write(lowerTar, new TarBuilder()
                .dir("dir/", 0755).file("dir/gone", "a").file("dir/kept", "b")
                .dir("opq/", 0755).file("opq/old", "o")
                .dir("tree/", 0755).file("tree/leaf", "t").build());
        Files.write(upperTar, TarBuilder.gzip(new TarBuilder()
                .dir("dir/", 0755).file("dir/.wh.gone", "")
                .dir("opq/", 0755).file("opq/.wh..wh..opq", "").file("opq/new", "n")
                .file(".wh.tree", "").build()));
        String classpath = copyClasspathFor(temp.resolve("cp"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String d : List.of("l1", "l2", "merged", "upper", "work")) {
            Files.createDirectory(temp.resolve(d));
        }
        Path lower = temp.resolve("l1/diff");
        Path upper = temp.resolve("l2/diff");
        Result chown = run(List.of("chown", "-R", USER + ":" + USER, temp.toString()));
        assertEquals(0, chown.exitCode, chown.output);
        for (List<Path> job : List.of(List.of(lowerTar, lower), List.of(upperTar, upper))) {
            Result unpack = run(List.of("runuser", "-u", USER, "--", "sh", "-c", "umask 077; mkdir " + job.get(1) + " && exec "
                    + java + " -cp " + classpath + " " + UnpackMain.class.getName() + " " + job.get(0) + " " + job.get(1)));
            assertEquals(0, unpack.exitCode, "unpacking as " + USER + ": " + unpack.output);
        }
        Result stat = run(List.of("stat", "-c", "%F %t:%T %U", upper.resolve("dir/gone").toString()));
        assertEquals("character special file 0:0 " + USER, stat.output.trim(), "whiteout made by the unprivileged user");

        String script = "set -e; mount -t overlay overlay -o lowerdir=" + upper + ":" + lower + ",upperdir="
                + temp.resolve("upper") + ",workdir=" + temp.resolve("work") + "," + LayerFormat.OVERLAY_MOUNT_OPTION + " "
                + temp.resolve("merged") + "; cd " + temp.resolve("merged") + "; find . | sort";
        Result r = run(List.of("runuser", "-u", USER, "--", "unshare", "-Urm", "sh", "-c", script));
        Environment.require(r.exitCode == 0, "an overlay mount in a user namespace (kernel >= 5.11 with userxattr)"
                + " failed as " + USER + ": " + r.output);
        List<String> seen = List.of(r.output.trim().split("\n"));
        assertTrue(seen.contains("./dir/kept"), seen.toString());
        assertFalse(seen.contains("./dir/gone"), "whiteout (char 0/0) must hide the lower file: " + seen);
        assertTrue(seen.contains("./opq/new"), seen.toString());
        assertFalse(seen.contains("./opq/old"), "user.overlay.opaque=y must hide the lower directory's content: " + seen);
        assertFalse(seen.contains("./tree") || seen.contains("./tree/leaf"), "whiteout must hide a lower directory: " + seen);
    }

    /** Copies the test class path somewhere the unprivileged user can read (root's ~/.m2 is private). */
    private static String copyClasspathFor(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve(i++ + "-" + from.getFileName());
            Result cp = run(List.of("cp", "-r", from.toString(), to.toString()));
            assertEquals(0, cp.exitCode, cp.output);
            entries.add(to.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static boolean isRoot() throws Exception {
        return "0".equals(run(List.of("id", "-u")).output.trim());
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }
}
