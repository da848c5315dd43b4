package dev.jrun.api;

import dev.jrun.container.ContainerExec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Files and directories into and out of a container, through `sh`, `cat` and `tar` run inside
 * it; on the host, Commons Compress writes and reads the tar stream ({@link TreeArchive}).
 *
 * <p>Never through /proc/PID/root from the host. There the kernel resolves the container's
 * absolute symlinks against the host's root, and the container can swap a directory for a
 * symlink between our check and our use: a hostile image could point a copy at the host's
 * files. docker cp had both: CVE-2018-15664 (a symlink-exchange race in the path resolution
 * of `docker cp`) and CVE-2019-14271 (docker cp loading the container's libraries). A process
 * inside the container only ever sees the container's files.
 */
final class FileCopy {
    /** What the scripts below say on stderr when the container has no tar. */
    private static final String NO_TAR = "jrun-copy: no tar";
    private static final String NEED_TAR = "command -v tar >/dev/null 2>&1 || { echo '" + NO_TAR + "' >&2; exit 127; }; ";

    private FileCopy() {}

    /** A host file, or a directory's tree (then {@code containerPath} is made and receives it). */
    static void into(JrunContainer c, Path host, String containerPath) {
        if (Files.isDirectory(host)) {
            intoDirectory(c, host, containerPath);
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(host);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + host + " to copy it into container " + c.shortId(), e);
        }
        into(c, content, containerPath);
    }

    static void into(JrunContainer c, byte[] content, String containerPath) {
        ExecResult r = c.execWithInput(content, List.of("sh", "-c", "cat > \"$1\"", "sh", containerPath));
        if (r.exitCode() != 0) {
            throw new JrunApiException("copy into " + containerPath + " in container " + c.shortId() + ": sh -c 'cat > "
                    + containerPath + "' exited with " + r.exitCode() + ": " + r.stderr().strip()
                    + "; the container needs sh and cat, and the directory must exist and be writable");
        }
    }

    private static void intoDirectory(JrunContainer c, Path dir, String containerPath) {
        byte[] archive;
        try {
            archive = TreeArchive.pack(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("read directory " + dir + " to copy it into container " + c.shortId() + ": "
                    + e.getMessage(), e);
        }
        // -o: the files become the extracting user's (busybox: do not restore owners; GNU tar:
        // --no-same-owner), as docker cp makes them root's.
        ExecResult r = c.execWithInput(archive, List.of("sh", "-c",
                NEED_TAR + "mkdir -p \"$1\" && exec tar -x -o -f - -C \"$1\"", "sh", containerPath));
        if (r.exitCode() != 0) {
            String what = "copy directory " + dir + " to " + containerPath + " in container " + c.shortId();
            if (r.stderr().contains(NO_TAR)) throw noTar(what);
            throw new JrunApiException(what + ": tar -x exited with " + r.exitCode() + ": " + r.stderr().strip()
                    + "; the container's user must be able to write there");
        }
    }

    /**
     * A container's file to a host file, or its directory's tree into a host directory (made if
     * missing). One exec: the script says which it sends with its first byte.
     */
    static void outOf(JrunContainer c, String containerPath, Path host) {
        String what = "copy " + containerPath + " out of container " + c.shortId();
        ContainerExec.Captured r = c.execBytes(List.of("sh", "-c", "if [ -d \"$1\" ]; then " + NEED_TAR
                + "printf D; exec tar -c -f - -C \"$1\" .; else printf F; exec cat \"$1\"; fi", "sh", containerPath));
        String stderr = new String(r.stderr(), StandardCharsets.UTF_8).strip();
        if (r.exitCode() != 0) {
            if (stderr.contains(NO_TAR)) throw noTar(what);
            String which = r.stdout().length == 0 ? "sh -c" : r.stdout()[0] == 'D' ? "tar -c" : "cat";
            throw new JrunApiException(what + ": " + which
                    + " exited with " + r.exitCode() + ": " + stderr + "; the container needs sh, and the path must exist "
                    + "and be readable by the container's user");
        }
        byte[] out = r.stdout();
        if (out.length == 0) throw new JrunApiException(what + ": the container's sh sent nothing: " + stderr);
        byte[] content = Arrays.copyOfRange(out, 1, out.length);
        try {
            if (out[0] == 'D') {
                TreeArchive.unpack(content, host);
            } else {
                Files.write(host, content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " to " + host + ": " + e.getMessage(), e);
        }
    }

    private static JrunApiException noTar(String what) {
        return new JrunApiException(what + ": the container has no tar, which copying a directory needs (a single "
                + "file needs only sh and cat); add tar to the image, or copy the files one at a time");
    }
}
