package dev.jrun.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumesTest {
    @TempDir Path root;

    Volumes volumes() {
        return Volumes.of(root, new JavaRemover());
    }

    @Test
    void createFindListAndRemoveAsPodman() throws Exception {
        Volumes v = volumes();
        Volumes.Volume made = v.create("data", false);
        assertEquals("data", made.name());
        assertEquals("local", made.driver());
        assertEquals(root.resolve("volumes/data/_data").toString(), made.mountpoint());
        assertTrue(made.needsCopyUp(), "a new volume is filled on first use");
        assertTrue(Files.isDirectory(v.dataDir("data")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(v.dataDir("data"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("volumes"))));
        assertEquals(made, v.find("data").orElseThrow());
        v.create("a.b_c-1", false);
        assertEquals(List.of("a.b_c-1", "data"), v.list().stream().map(Volumes.Volume::name).toList());
        StoreException exists = assertThrows(StoreException.class, () -> v.create("data", false));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        assertEquals(made, v.create("data", true));

        v.markUsed("data");
        assertFalse(v.find("data").orElseThrow().needsCopyUp());
        Files.writeString(v.dataDir("data").resolve("file"), "x");
        v.remove("data");
        assertTrue(v.find("data").isEmpty());
        assertEquals(List.of("a.b_c-1"), names(root.resolve("volumes")), "nothing of data is left");
        StoreException missing = assertThrows(StoreException.class, () -> v.remove("data"));
        assertTrue(missing.getMessage().startsWith("no volume with name \"data\" found"), missing.getMessage());
        assertEquals(125, missing.exitCode());
    }

    private static List<String> names(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        out.sort(null);
        return out;
    }

    @Test
    void hostileNamesNeverBecomePaths() {
        Volumes v = volumes();
        for (String bad : List.of("..", ".", "../etc", "a/b", "/abs", "-rf", ".hidden", "", "a b", "a\nb", "é",
                "x".repeat(300))) {
            StoreException e = assertThrows(StoreException.class, () -> v.create(bad, true), bad);
            assertTrue(e.getMessage().contains("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"), e.getMessage());
        }
        assertFalse(Files.exists(root.resolve("etc")));
        assertTrue(Volumes.validName("a"));
        assertTrue(Volumes.validName("0.x_y-z"));
    }

    @Test
    void aVolumeInUseIsNotRemoved() throws Exception {
        Volumes v = volumes();
        v.create("busy", false);
        assertFalse(v.inUse("busy"));
        v.use("busy");
        v.use("busy");   // twice in one run: no OverlappingFileLockException
        assertTrue(v.inUse("busy"));
        StoreException e = assertThrows(StoreException.class, () -> v.remove("busy"));
        assertEquals(2, e.exitCode(), "podman's exit status for a volume in use");
        assertTrue(e.getMessage().contains("volume busy is being used"), e.getMessage());
        assertTrue(v.find("busy").isPresent());
        // Other processes: PodmanRunIT.item12AVolumeInUseIsNotRemoved.
    }

    @Test
    void concurrentCreationsAgreeOnOneVolume() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Volumes.Volume>> made = new ArrayList<>();
            for (int i = 0; i < 16; i++) made.add(pool.submit(() -> volumes().create("shared", true)));
            Volumes.Volume first = made.get(0).get();
            for (Future<Volumes.Volume> f : made) assertEquals(first, f.get());
        } finally {
            pool.shutdown();
        }
        try (var s = Files.list(root.resolve("volumes"))) {
            assertEquals(List.of("shared"), s.map(p -> p.getFileName().toString()).toList(), "no staging left");
        }
    }
}
