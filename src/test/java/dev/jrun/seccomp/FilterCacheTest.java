package dev.jrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.sys.RecordingSyscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterCacheTest {
    @TempDir Path tmp;

    private static final ProfileResolver.Target TARGET =
            new ProfileResolver.Target("amd64", Set.of("CAP_CHOWN"), "6.1.0");

    private long myUid() throws Exception {
        return ((Integer) Files.getAttribute(tmp, "unix:uid")).longValue();
    }

    @Test
    void aCompiledFilterIsTakenFromTheCacheTheSecondTime() throws Exception {
        FilterCache cache = new FilterCache(Map.of("XDG_CACHE_HOME", tmp.toString()), myUid());
        RecordingSyscalls sys = new RecordingSyscalls();
        ProfileLocator.Located profile = ProfileLocator.builtIn();
        SeccompFilter first = SeccompFilter.compile(profile, TARGET, sys, cache);
        SeccompFilter second = SeccompFilter.compile(profile, TARGET, sys, cache);
        assertEquals(first, second);
        assertEquals(1, sys.calls.stream().filter(c -> c.startsWith("compile seccomp")).count(), sys.calls.toString());
        Path dir = tmp.resolve("jrun/seccomp");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        // Another bounding set is another program.
        SeccompFilter.compile(profile, new ProfileResolver.Target("amd64", Set.of("CAP_SYS_ADMIN"), "6.1.0"), sys, cache);
        assertEquals(2, sys.calls.stream().filter(c -> c.startsWith("compile seccomp")).count());
    }

    @Test
    void entriesOthersCouldWriteOrThatAreBrokenAreMisses() throws Exception {
        FilterCache cache = new FilterCache(Map.of("XDG_CACHE_HOME", tmp.toString()), myUid());
        String key = FilterCache.key("{}".getBytes(), TARGET);
        Path dir = Files.createDirectories(tmp.resolve("jrun/seccomp"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path entry = Files.write(dir.resolve(key + ".bpf"), new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f});
        assertTrue(cache.get(key).isPresent());
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(cache.get(key).isEmpty(), "a world-writable entry is not trusted");
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
        Files.write(entry, new byte[] {1, 2, 3});
        assertTrue(cache.get(key).isEmpty(), "not a whole number of instructions");
        Files.write(entry, new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f});
        assertTrue(cache.get(key).isPresent());
        assertTrue(new FilterCache(Map.of("XDG_CACHE_HOME", tmp.toString()), myUid() + 1).get(key).isEmpty(),
                "another user's entry is not taken");
        assertNotEquals(key, FilterCache.key("{ }".getBytes(), TARGET));
        assertTrue(FilterCache.none().get(key).isEmpty());
    }
}
