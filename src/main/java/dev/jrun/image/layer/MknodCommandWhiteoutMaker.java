package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Makes whiteouts with coreutils {@code mknod PATH c 0 0}. Unprivileged users may create this
 * one device since Linux 5.8 (vfs_mknod exempts WHITEOUT_DEV from CAP_MKNOD). One process per
 * whiteout is slow but whiteouts are rare (a few per layer).
 */
public final class MknodCommandWhiteoutMaker implements WhiteoutMaker {

    @Override
    public void makeWhiteout(Path path) throws IOException {
        // "--" so a name starting with "-" is not taken for an option; the path is absolute anyway.
        Process p = new ProcessBuilder("mknod", "--", path.toString(), "c", "0", "0").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating whiteout " + path, e);
        }
        if (rc != 0) {
            throw new IOException("cannot create overlay whiteout (character device 0/0) " + path + ": " + out
                    + " (unprivileged whiteouts need Linux >= 5.8; is the store on a filesystem mounted nodev-free"
                    + " that supports device nodes?)");
        }
    }
}
