package dev.jrun.store;

import dev.jrun.ids.RandomIds;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The store's {@code tmp/}: names for files being written, and removal of what dead writers
 * left there. Leftovers that cannot be removed are noted as warnings, not errors.
 */
final class Temporaries {

    /** Temporary files of dead processes, or older than this, are removed by the next store opening. */
    static final Duration STALE_TEMP_AGE = Duration.ofHours(24);

    private final Path tmp;
    private final Remover remover;
    private final List<String> cleanupWarnings = new CopyOnWriteArrayList<>();

    Temporaries(Path tmp, Remover remover) {
        this.tmp = tmp;
        this.remover = remover;
    }

    /** The {@code tmp/} directory itself. */
    Path dir() {
        return tmp;
    }

    /** {@code tmp/<kind>-<pid>-<random>}: see {@link #name}. */
    Path newTempPath(String kind) {
        return tmp.resolve(name(kind));
    }

    /** {@code <kind>-<pid>-<random>}: the PID lets the next process tell a dead writer's file. */
    static String name(String kind) {
        return kind + "-" + ProcessHandle.current().pid() + "-" + RandomIds.hex(8);
    }

    /**
     * Removes temporary files and directories whose writer is dead (kill -9, power loss) or
     * that are older than {@link #STALE_TEMP_AGE}. Never used for anything: a blob or layer
     * becomes visible only by the link/rename at its commit.
     */
    void removeStale() throws StoreException {
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tmp)) {
            for (Path p : dir) {
                if (isStale(p, cutoff)) {
                    removeBestEffort(p);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot clean up temporary files in " + tmp + ": " + e.getMessage()
                    + "; remove them by hand if jrun is not running", e);
        }
    }

    /**
     * Debris that cannot be removed must not make every later command fail: it is never
     * used, so note it for the user and go on.
     */
    void removeBestEffort(Path p) {
        try {
            remover.removeTree(p);
        } catch (IOException e) {
            cleanupWarnings.add("could not remove leftover " + p + ": " + e.getMessage());
        }
    }

    /** Leftovers of killed jrun processes that could not be removed; for the CLI to print once. */
    List<String> cleanupWarnings() {
        return List.copyOf(cleanupWarnings);
    }

    private static boolean isStale(Path p, Instant cutoff) throws IOException {
        String[] parts = p.getFileName().toString().split("-");
        FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(cutoff)) {
            return true;
        }
        if (parts.length != 3) {
            return false; // not ours by name; only age removes it
        }
        try {
            long pid = Long.parseLong(parts[1]);
            if (pid == ProcessHandle.current().pid()) {
                return false; // another thread of this process is writing it
            }
            return ProcessHandle.of(pid).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
