package dev.jrun.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Files into and out of a container, through `sh`/`cat` run inside it. Never through
 * /proc/PID/root from the host: there the kernel resolves the container's absolute symlinks
 * against the host's root, so a hostile image could point a copy at the host's files
 * (CVE-2019-14271, docker cp; CVE-2018-15664).
 */
final class FileCopy {
    private FileCopy() {}

    static void into(JrunContainer c, Path hostFile, String containerPath) {
        byte[] content;
        try {
            content = Files.readAllBytes(hostFile);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + hostFile + " to copy it into container " + c.shortId(), e);
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

    static void outOf(JrunContainer c, String containerPath, Path hostFile) {
        byte[] content = c.execBytes(List.of("cat", containerPath), "copy " + containerPath + " out of container "
                + c.shortId());
        try {
            Files.write(hostFile, content);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + hostFile + " copied from container " + c.shortId(), e);
        }
    }
}
