package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Op;
import dev.jrun.sys.RecordingSyscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copy-up and :U as the user-namespace helper runs them, recorded without any namespace. */
class VolumeSetupTest {
    @TempDir Path tmp;
    final RecordingSyscalls sys = new RecordingSyscalls();
    final List<List<Op>> helpers = new ArrayList<>();
    final List<String> used = new ArrayList<>();

    private final NamedVolumes volumes = new NamedVolumes() {
        @Override
        public Path directory(String name) throws JrunException {
            try {
                return Files.createDirectories(tmp.resolve("volumes").resolve(name));
            } catch (java.io.IOException e) {
                throw new JrunException(e.getMessage());
            }
        }

        @Override
        public boolean firstUse(String name) {
            return !used.contains(name);
        }

        @Override
        public void used(String name) {
            used.add(name);
        }
    };

    private LaunchPlan plan(Optional<String> user, List<String> volumeSpecs) throws Exception {
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        Files.createDirectories(root.resolve("data"));
        RunSpec s = new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("true"), Optional.empty(),
                List.of(), List.of(), Optional.empty(), user, Optional.of("box"), false, volumeSpecs, Network.NONE,
                false, false, Optional.empty(), 10);
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, sys, w -> { }).withVolumes(volumes).plan(s);
    }

    /** The user-namespace helpers' own operations (after the preamble every helper gets). */
    private void prepare(LaunchPlan plan) throws JrunException {
        int before = sys.allSpawnedOps.size();
        Launcher launcher = new Launcher(sys, (pid, userns) -> { });
        new VolumeSetup(launcher, volumes).prepare(plan);
        for (int i = before; i < sys.allSpawnedOps.size(); i++) {
            List<Op> ops = sys.allSpawnedOps.get(i);
            int start = 0;
            while (!(ops.get(start) instanceof Op.CloseRange)) start++;
            while (ops.get(start) instanceof Op.CloseRange) start++;
            helpers.add(ops.subList(start, ops.size()));
            sys.calls.add("helper flags " + sys.allSpawnedFlags.get(i));
        }
    }

    @Test
    void aNewVolumeIsFilledFromTheImageResolvedInsideItsRoot() throws Exception {
        LaunchPlan p = plan(Optional.empty(), List.of("vol:/data"));
        prepare(p);
        assertEquals(1, helpers.size());
        List<Op> ops = helpers.get(0);
        String root = tmp.resolve("root").toString();
        assertEquals(new Op.Mount(null, "/", null, MS_REC | MS_PRIVATE, null, 0), ops.get(0));
        assertEquals(new Op.OpenAt2(900, "data", O_PATH | O_DIRECTORY | O_CLOEXEC,
                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, 901), ops.get(2));
        assertEquals(new Op.Chdir(tmp.resolve("volumes/vol").toString()), ops.get(3));
        assertEquals(new Op.Mount("/proc/self/fd/901", root, null, MS_BIND, null, 0), ops.get(4));
        assertEquals(List.of("cp", "-a", "--", root + "/.", "."), ((Op.Exec) ops.get(ops.size() - 1)).argv());
        assertTrue(sys.calls.contains("helper flags " + (CLONE_NEWNS | CLONE_NEWUSER)), sys.calls.toString());
        assertEquals(List.of("vol"), used);

        helpers.clear();
        prepare(plan(Optional.empty(), List.of("vol:/data")));
        assertEquals(List.of(), helpers, "the second use copies nothing");
    }

    @Test
    void aVolumeWithFilesIsNeverOverwritten() throws Exception {
        Files.createDirectories(tmp.resolve("volumes/full"));
        Files.writeString(tmp.resolve("volumes/full/mine"), "x");
        prepare(plan(Optional.empty(), List.of("full:/data")));
        assertEquals(List.of(), helpers);
        assertEquals(List.of("full"), used);
    }

    @Test
    void withoutAnImageDirectoryTheVolumeGoesToTheContainersUser() throws Exception {
        prepare(plan(Optional.of("app"), List.of("fresh:/nothere")));
        assertEquals(List.of("chown", "-h", "1000:1000", "--", tmp.resolve("volumes/fresh").toString()),
                ((Op.Exec) helpers.get(0).get(0)).argv());
        helpers.clear();
        prepare(plan(Optional.empty(), List.of("rootvol:/nothere")));
        assertEquals(List.of(), helpers, "root's volume is the caller's already");
    }

    @Test
    void colonUChownsTheTreeWithoutFollowingLinks() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("bind"));
        prepare(plan(Optional.of("app"), List.of(data + ":/b:U")));
        assertEquals(List.of("chown", "-h", "-R", "-P", "1000:1000", "--", data.toString()),
                ((Op.Exec) helpers.get(0).get(0)).argv());
        sys.waitStatus = 1 << 8;
        JrunException e = assertThrows(JrunException.class, () -> prepare(plan(Optional.of("app"),
                List.of(data + ":/b:U"))));
        assertTrue(e.getMessage().startsWith("give host path " + data + " (" + data + ") to container user 1000:1000"),
                e.getMessage());
    }
}
