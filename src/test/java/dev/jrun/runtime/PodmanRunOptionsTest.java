package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.Linux;
import dev.jrun.sys.RecordingSyscalls;
import dev.jrun.userns.HostIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planning side of podman's run options (issue 14): what a podman user would notice. */
class PodmanRunOptionsTest {
    @TempDir Path tmp;

    private LaunchPlanner planner(NamedVolumes volumes) throws Exception {
        HostEnvironment base = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        HostEnvironment host = new HostEnvironment(base.caller(), base.subuidFile(), base.subgidFile(),
                base.newuidmap(), base.newgidmap(), Map.of("FOO_A", "1", "FOO_B", "2", "FOOD", "3", "BAR", "4"),
                base.hostsFile(), base.resolvConf(), 40, "the-host");
        return new LaunchPlanner(host, new RecordingSyscalls(), w -> { }).withVolumes(volumes);
    }

    private LaunchPlan plan(Options o) throws Exception {
        return planner(o.volumeStore).plan(o.spec(Fixtures.rootfs(tmp.resolve("root"))));
    }

    /** The options a test changes, with podman's defaults for the rest. */
    private static final class Options {
        Optional<String> user = Optional.empty();
        Optional<String> hostname = Optional.of("box");
        Optional<String> workdir = Optional.empty();
        Optional<List<String>> entrypoint = Optional.empty();
        Network network = Network.NONE;
        List<String> env = List.of();
        List<Path> envFiles = List.of();
        List<String> volumes = List.of();
        List<String> mounts = List.of();
        List<String> tmpfs = List.of();
        boolean readOnly;
        boolean readOnlyTmpfs = true;
        boolean passwd = true;
        Optional<String> passwdEntry = Optional.empty();
        NamedVolumes volumeStore = NamedVolumes.NONE;

        RunSpec spec(Path root) {
            return new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("id"), entrypoint, env,
                    envFiles, workdir, user, hostname, readOnly, volumes, network, false, false, Optional.empty(), 10,
                    SecurityOptions.DEFAULT, mounts, tmpfs, readOnlyTmpfs, passwd, passwdEntry);
        }
    }

    private static String etc(LaunchPlan p, String path) {
        return p.etcFiles().stream().filter(f -> f.path().equals(path)).findFirst()
                .map(f -> new String(f.content(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void hostNetworkWithoutHostnameKeepsTheHostsUtsNamespace() throws Exception {
        Options o = new Options();
        o.network = Network.HOST;
        o.hostname = Optional.empty();
        LaunchPlan p = plan(o);
        assertTrue(p.hostUts());
        assertEquals("the-host", p.hostname());
        assertTrue(p.env().contains("HOSTNAME=the-host"));
        assertEquals("the-host\n", etc(p, "/etc/hostname"));
        assertEquals(0, ContainerScript.namespaceFlags(p) & Linux.CLONE_NEWUTS);

        o.hostname = Optional.of("box");   // podman: --hostname still gives a UTS namespace of its own
        LaunchPlan named = plan(o);
        assertFalse(named.hostUts());
        assertEquals("box", named.hostname());
        assertTrue((ContainerScript.namespaceFlags(named) & Linux.CLONE_NEWUTS) != 0);

        o.network = Network.NONE;
        o.hostname = Optional.empty();
        LaunchPlan none = plan(o);
        assertFalse(none.hostUts());
        assertTrue(none.hostname().matches("[0-9a-f]{12}"), none.hostname());
    }

    @Test
    void anUnknownUidGetsPodmansPasswdLineAndHome() throws Exception {
        Options o = new Options();
        o.user = Optional.of("1234");
        LaunchPlan p = plan(o);
        String passwd = etc(p, "/etc/passwd");
        assertTrue(passwd.startsWith("root:x:0:0:root:/root:/bin/sh\n"), passwd);
        assertTrue(passwd.endsWith("\n1234:*:1234:0:container user:/:/bin/sh\n"), passwd);
        assertEquals(new ProcessIdentity(1234, 0, List.of(0L), "/"), p.identity());
        assertTrue(p.env().contains("HOME=/"));

        o.workdir = Optional.of("/tmp");
        LaunchPlan inTmp = plan(o);
        assertTrue(etc(inTmp, "/etc/passwd").endsWith("1234:*:1234:0:container user:/tmp:/bin/sh\n"));
        assertTrue(inTmp.env().contains("HOME=/tmp"), inTmp.env().toString());

        o.passwdEntry = Optional.of("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/ash:");
        assertTrue(etc(plan(o), "/etc/passwd").endsWith("\n1234:x:1234:0:container user:/tmp:/bin/ash:\n"));

        o.passwd = false;
        LaunchPlan without = plan(o);
        assertEquals(null, etc(without, "/etc/passwd"));
        assertTrue(without.env().contains("HOME=/"), "podman --passwd=false: HOME=/");
    }

    @Test
    void knownUsersGetNoPasswdLineAndATemplateIsOneLine() throws Exception {
        Options o = new Options();
        o.user = Optional.of("app");
        assertEquals(null, etc(plan(o), "/etc/passwd"));
        o.user = Optional.of("1234");
        o.passwdEntry = Optional.of("x:*:1234:0::/:/bin/sh\nroot2:x:0:0::/:/bin/sh");
        JrunException e = assertThrows(JrunException.class, () -> plan(o));
        assertTrue(e.getMessage().contains("must be a single line"), e.getMessage());
    }

    @Test
    void anUnknownNumericGroupGetsAGroupLine() throws Exception {
        Options o = new Options();
        o.user = Optional.of("1234:55");
        LaunchPlan p = plan(o);
        assertTrue(etc(p, "/etc/group").endsWith("\n55:x:55:1234\n"), etc(p, "/etc/group"));
        assertEquals(List.of(55L), p.identity().supplementaryGroups());
    }

    @Test
    void envPrefixTakesEveryMatchingVariableOfTheCaller() throws Exception {
        Path file = Files.writeString(tmp.resolve("env"), "BA*\n");
        Options o = new Options();
        o.env = List.of("FOO_*");
        o.envFiles = List.of(file);
        LaunchPlan p = plan(o);
        assertTrue(p.env().containsAll(List.of("FOO_A=1", "FOO_B=2", "BAR=4")), p.env().toString());
        assertFalse(p.env().contains("FOOD=3"));
        assertFalse(p.env().stream().anyMatch(e -> e.startsWith("FOO_*")));
    }

    @Test
    void termIsXtermWithoutATerminalToo() throws Exception {
        assertTrue(plan(new Options()).env().contains("TERM=xterm"));
        Options o = new Options();
        o.env = List.of("TERM=dumb");
        assertTrue(plan(o).env().contains("TERM=dumb"));
        assertFalse(plan(o).env().contains("TERM=xterm"));
    }

    @Test
    void entrypointAsAJsonArray() {
        assertEquals(List.of("/bin/echo", "json"), Entrypoints.parse("[\"/bin/echo\",\"json\"]"));
        assertEquals(List.of("[\"/bin/echo\","), Entrypoints.parse("[\"/bin/echo\","));
        assertEquals(List.of("/bin/sh"), Entrypoints.parse("/bin/sh"));
        assertEquals(List.of(), Entrypoints.parse(""));
        assertEquals(List.of("[1,2]"), Entrypoints.parse("[1,2]"), "not an array of strings: one word");
    }

    @Test
    void readOnlyGetsScratchTmpfsAlsoWhereTheImageHasNoDirectory() throws Exception {
        Options o = new Options();
        o.readOnly = true;
        LaunchPlan p = plan(o);
        // The fixture has /etc and /bin only: all three are created as mount points.
        assertEquals(List.of("/tmp", "/var/tmp", "/run"), p.scratchTmpfs().stream().map(TmpfsMount::path).toList());
        assertTrue(p.scratchTmpfs().stream().allMatch(TmpfsMount::createMountPoint));
        o.readOnlyTmpfs = false;
        assertEquals(List.of(), plan(o).scratchTmpfs());
        o.readOnly = false;
        o.readOnlyTmpfs = true;
        assertEquals(List.of(), plan(o).scratchTmpfs(), "without --read-only nothing is mounted");
    }

    @Test
    void mtabBecomesALinkWhereTheImageHasNone() throws Exception {
        assertTrue(plan(new Options()).mtabLink());
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("etc/mtab"), Path.of("/proc/self/mounts"));
        assertFalse(plan(new Options()).mtabLink());
    }

    @Test
    void underAnotherMapNothingIsCreatedInTheRootfs() throws Exception {
        // As root with --userns-remap, container root is a subordinate ID: that jrun (root) may
        // write /etc says nothing about whether the container's root may.
        HostEnvironment base = Fixtures.host(tmp, 0, "root", "vagrant:100000:65536\n");
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        Files.createDirectories(root.resolve("srv"));
        RunSpec spec = new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("id"), Optional.empty(),
                List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.of("box"), true, List.of(),
                Network.NONE, false, false, Optional.of("vagrant"), 10);
        LaunchPlan p = new LaunchPlanner(base, new RecordingSyscalls(), w -> { }).plan(spec);
        assertFalse(p.mtabLink());
        assertEquals(List.of(), p.scratchTmpfs().stream().filter(TmpfsMount::createMountPoint).toList());
        assertEquals(List.of(), p.etcFiles().stream().filter(EtcFile::createMountPoint).toList(),
                "no mount point is made in /etc or /run by the remapped root");
    }

    /** A store of named volumes in a temporary directory. */
    private static final class FakeVolumes implements NamedVolumes {
        final Path dir;
        final Map<String, Boolean> firstUse = new HashMap<>();
        final List<String> used = new ArrayList<>();

        FakeVolumes(Path dir) {
            this.dir = dir;
        }

        @Override
        public Path directory(String name) throws JrunException {
            try {
                firstUse.putIfAbsent(name, true);
                return Files.createDirectories(dir.resolve(name));
            } catch (java.io.IOException e) {
                throw new JrunException(e.getMessage());
            }
        }

        @Override
        public boolean firstUse(String name) {
            return firstUse.getOrDefault(name, false);
        }

        @Override
        public void used(String name) {
            used.add(name);
            firstUse.put(name, false);
        }
    }

    @Test
    void namedVolumesBindsAndTmpfsFromAllThreeOptions() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        FakeVolumes store = new FakeVolumes(tmp.resolve("volumes"));
        Options o = new Options();
        o.volumes = List.of("cache:/var/cache:ro,U", data + ":/data:U,z", "seed:/seed:nocopy");
        o.mounts = List.of("type=volume,source=other,target=/other", "type=bind,src=" + data + ",dst=/b,ro",
                "type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=700");
        o.tmpfs = List.of("/scratch:size=1m,mode=1777,exec");
        LaunchPlan p = planner(store).plan(o.spec(Fixtures.rootfs(tmp.resolve("root"))));
        assertEquals(new Volume(store.dir.resolve("cache"), "/var/cache", true, true, true, true, Optional.of("cache")),
                p.volumes().get(0));
        assertEquals(new Volume(data, "/data", false, true, true, false, Optional.empty()), p.volumes().get(1));
        assertEquals(new Volume(store.dir.resolve("seed"), "/seed", false, true, false, false, Optional.of("seed")),
                p.volumes().get(2));
        assertEquals(Optional.of("other"), p.volumes().get(3).volumeName());
        assertEquals(new Volume(data, "/b", true, true), p.volumes().get(4));
        long nosuidNodev = Linux.MS_NOSUID | Linux.MS_NODEV;
        assertEquals(List.of(new TmpfsMount("/t", nosuidNodev, "size=2m,mode=700", true),
                new TmpfsMount("/scratch", nosuidNodev, "size=1m,mode=1777", true)), p.tmpfsMounts());
    }

    @Test
    void etcFilesGoOnTopOfAVolumeOnEtcAndTheUsersOwnFileWins() throws Exception {
        Path hosts = Files.writeString(tmp.resolve("my-hosts"), "10.0.0.1 mine\n");
        Options o = new Options();
        o.volumes = List.of("etcvol:/etc", hosts + ":/etc/hosts");
        o.volumeStore = new FakeVolumes(tmp.resolve("volumes"));
        LaunchPlan p = plan(o);
        EtcFile hostname = p.etcFiles().stream().filter(f -> f.path().equals("/etc/hostname")).findFirst().orElseThrow();
        assertTrue(hostname.createMountPoint(), "made in the volume, whatever the image has");
        assertEquals(null, etc(p, "/etc/hosts"), "the user's /etc/hosts is not covered");
        o.volumes = List.of("etcvol:/etc:ro");
        assertEquals(List.of(), plan(o).etcFiles(), "nothing can be made in a read-only volume");
    }

    @Test
    void hostileOrWrongMountOptionsAreRefusedWithTheOptionNamed() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Map<String, List<String>> cases = Map.of(
                "--volume", List.of(data + ":/d:rx", data + ":relative", data + ":/", "/anonymous", data.toString()),
                "--mount", List.of("type=bind,target=/x", "type=bind,source=rel,target=/x", "type=volume,target=/x",
                        "type=nfs,target=/x", "type=bind,source=/,target=/x,bind-propagation=shared",
                        "type=tmpfs,target=/x,tmpfs-size=1m,mode=0", "source=v,target=/x,ro=maybe"),
                "--tmpfs", List.of("/x:size=1m,uid=0,foo", "/x:mode=0777,nr_inodes=1;x", "/x:size=1m,mode=7777x",
                        "relative", "/"));
        FakeVolumes store = new FakeVolumes(tmp.resolve("volumes"));
        for (var entry : cases.entrySet()) {
            for (String bad : entry.getValue()) {
                Options o = new Options();
                if (entry.getKey().equals("--volume")) o.volumes = List.of(bad);
                if (entry.getKey().equals("--mount")) o.mounts = List.of(bad);
                if (entry.getKey().equals("--tmpfs")) o.tmpfs = List.of(bad);
                JrunException e = assertThrows(JrunException.class,
                        () -> planner(store).plan(o.spec(Fixtures.rootfs(tmp.resolve("root")))), bad);
                assertTrue(e.getMessage().startsWith(entry.getKey() + " " + bad), e.getMessage());
            }
        }
        Options twice = new Options();
        twice.volumes = List.of(data + ":/d");
        twice.tmpfs = List.of("/d");
        JrunException e = assertThrows(JrunException.class, () -> planner(store).plan(
                twice.spec(Fixtures.rootfs(tmp.resolve("root")))));
        assertTrue(e.getMessage().startsWith("two mounts on /d"), e.getMessage());
    }
}
