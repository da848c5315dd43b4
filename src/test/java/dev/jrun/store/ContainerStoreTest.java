package dev.jrun.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container records: names, lookups as podman resolves them, and what counts as debris. */
class ContainerStoreTest {
    @TempDir Path root;

    private static ContainerRecord record(String id, String name, boolean autoRemove) {
        return ContainerRecord.ofThisProcess(id, name, null, "/rootfs", List.of(), List.of("sh"), Instant.now().toString(),
                autoRemove, List.of("--rootfs", "/rootfs", "sh"));
    }

    private static final String A = "a1".repeat(32);
    private static final String B = "a2".repeat(32);

    @Test
    void namesAreUniqueAndLookupsTakeNamesIdsAndUniquePrefixes() throws Exception {
        ContainerStore c = Store.open(root, new JavaRemover()).containers();
        c.create(record(A, "web", false), false);
        c.create(record(B, "db", false), false);
        StoreException taken = assertThrows(StoreException.class, () -> c.create(record("b".repeat(64), "web", false), false));
        assertTrue(taken.getMessage().startsWith("the container name \"web\" is already in use by " + A), taken.getMessage());
        assertThrows(StoreException.class, () -> c.create(record("c".repeat(64), "../x", false), false));

        assertEquals(A, c.find("web").record().id());
        assertEquals(B, c.find(B).record().id());
        assertEquals(B, c.find("a2a2").record().id());
        StoreException ambiguous = assertThrows(StoreException.class, () -> c.find("a"));
        assertTrue(ambiguous.getMessage().contains("more than one"), ambiguous.getMessage());
        StoreException missing = assertThrows(StoreException.class, () -> c.find("nosuch"));
        assertTrue(missing.getMessage().startsWith("no container with name or ID \"nosuch\" found"), missing.getMessage());
    }

    @Test
    void debrisIsWhatNothingWillEverRemoveAndNeverAContainerWithALiveProcess() throws Exception {
        Store store = Store.open(root, new JavaRemover());
        ContainerStore c = store.containers();
        ProcessHandle self = ProcessHandle.current();
        long selfStart = HostProcesses.startTime((int) self.pid());
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        int dead = (int) gone.pid();

        // Started, still running (its process is this JVM): kept, even with --rm.
        ContainerArea running = c.create(record("1".repeat(64), "running", true), false);
        c.writeState(running, new ContainerState((int) self.pid(), selfStart, (int) self.pid(), HostProcesses.bootId(),
                Instant.now().toString()));
        // --rm, ended, its monitor gone (killed before its cleanup): debris.
        ContainerArea ended = c.create(record("2".repeat(64), "ended", true), false);
        c.writeState(ended, new ContainerState(dead, 1, dead, HostProcesses.bootId(), Instant.now().toString()));
        // Ended without --rm: kept until jrun rm, as podman keeps it.
        ContainerArea kept = c.create(record("3".repeat(64), "kept", false), false);
        c.writeState(kept, new ContainerState(dead, 1, dead, HostProcesses.bootId(), Instant.now().toString()));
        // A PID reused by another process (its start time differs) is not the container's.
        assertFalse(new ContainerState((int) self.pid(), selfStart + 1, dead, HostProcesses.bootId(), "x").isRunning());
        // After a reboot nothing runs.
        assertFalse(new ContainerState((int) self.pid(), selfStart, dead, "another-boot", "x").isRunning());

        Store.open(root, new JavaRemover());
        assertTrue(Files.exists(running.dir()));
        assertFalse(Files.exists(ended.dir()));
        assertTrue(Files.exists(kept.dir()));
        assertEquals(List.of("running", "kept"), c.records().stream().map(ContainerRecord::name).toList());
    }
}
