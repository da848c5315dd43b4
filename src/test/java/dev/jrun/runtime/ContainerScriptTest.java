package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.sys.Op;
import dev.jrun.sys.RecordingSyscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerScriptTest {
    @TempDir Path tmp;

    private LaunchPlan plan(Network network, boolean readOnly, boolean tty, List<String> volumes) throws Exception {
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        RunSpec s = new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("sh"), Optional.empty(),
                List.of(), List.of(), Optional.of("/work/dir"), Optional.of("app"), Optional.of("box"), readOnly,
                volumes, network, tty, false, Optional.empty(), 10);
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, new RecordingSyscalls(), w -> { }).plan(s);
    }

    private static List<Op> compile(LaunchPlan plan) {
        return ContainerScript.compile(plan, new ContainerScript.Descriptors(7, 8, 150, 200, new int[] {24, 80}));
    }

    private static int indexOf(List<Op> ops, Predicate<Op> p) {
        for (int i = 0; i < ops.size(); i++) if (p.test(ops.get(i))) return i;
        return -1;
    }

    @Test
    void nothingInsideTheRootfsIsResolvedBeforePivotRoot() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of()));
        int pivot = indexOf(ops, o -> o instanceof Op.PivotRoot);
        String root = tmp.resolve("root").toString();
        for (Op op : ops.subList(0, pivot)) {
            if (op instanceof Op.Mount m && m.target() != null) {
                // Before pivot_root only "/" (propagation) and the rootfs itself are touched.
                assertTrue(m.target().equals("/") || m.target().equals(root), op.toString());
            }
            assertFalse(op instanceof Op.Mkdir || op instanceof Op.CreateFile || op instanceof Op.Symlink
                    || op instanceof Op.WriteFile || op instanceof Op.MoveMount, "before pivot_root: " + op);
        }
        assertEquals(new Op.Chdir(root), ops.get(pivot - 1));
        assertEquals(new Op.PivotRoot(".", "."), ops.get(pivot));
        assertEquals(new Op.Umount(".", MNT_DETACH), ops.get(pivot + 1));
    }

    @Test
    void propagationIsPrivateBeforeAnyMount() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of()));
        assertEquals(List.of(new Op.SetGroups(List.of()), new Op.SetResGid(0), new Op.SetResUid(0),
                new Op.ParentDeathSignal(SIGKILL)), ops.subList(0, 4));
        // Not the caller's session keyring: a new one, as runc does.
        assertEquals(new Op.JoinSessionKeyring(), ops.get(4));
        // Everything the JVM had open is closed but stdin (7), the terminal socket (8) and the error pipe (150).
        assertEquals(List.of(new Op.CloseRange(3, 6), new Op.CloseRange(9, 149), new Op.CloseRange(151, 0xFFFFFFFFL)),
                ops.subList(5, 8));
        assertEquals(new Op.Mount(null, "/", null, MS_REC | MS_PRIVATE, null, 0), ops.get(8));
        String root = tmp.resolve("root").toString();
        assertEquals(new Op.Mount(root, root, null, MS_BIND | MS_REC, null, 0), ops.get(9));
    }

    @Test
    void procIsMadeDetachedBeforePivotAndAttachedAfter() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of()));
        int pivot = indexOf(ops, o -> o instanceof Op.PivotRoot);
        int fsopen = indexOf(ops, o -> o instanceof Op.FsOpen f && f.fstype().equals("proc"));
        int attach = indexOf(ops, o -> o instanceof Op.MoveMount m && m.target().equals("/proc"));
        assertTrue(fsopen >= 0 && fsopen < pivot && attach > pivot);
        // mountinfo shows "proc" as the source, as with mount(8) and podman.
        assertEquals(new Op.FsConfig(((Op.FsOpen) ops.get(fsopen)).slot(), FSCONFIG_SET_STRING, "source", "proc",
                "the source of a new proc"), ops.get(fsopen + 1));
        Op.FsMount mount = (Op.FsMount) ops.get(fsopen + 3);
        assertEquals(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, mount.attributes());
        assertEquals(mount.slot(), ((Op.MoveMount) ops.get(attach)).slot());
    }

    @Test
    void hostNetworkBindsSysReadOnlyOwnNetworkMountsSysfsAndRaisesLoopback() throws Exception {
        List<Op> host = compile(plan(Network.HOST, false, false, List.of()));
        Op.OpenTree sys = (Op.OpenTree) host.get(indexOf(host, o -> o instanceof Op.OpenTree t && t.path().equals("/sys")));
        assertEquals(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE, sys.treeFlags());
        assertTrue(host.stream().anyMatch(o -> o instanceof Op.MountSetAttr a && a.dirFd() == sys.slot()
                && (a.attrSet() & MOUNT_ATTR_RDONLY) != 0 && (a.atFlags() & AT_RECURSIVE) != 0));
        assertFalse(host.stream().anyMatch(o -> o instanceof Op.Socket));

        List<Op> none = compile(plan(Network.NONE, false, false, List.of()));
        assertTrue(none.stream().anyMatch(o -> o instanceof Op.FsOpen f && f.fstype().equals("sysfs")));
        int socket = indexOf(none, o -> o instanceof Op.Socket);
        Op.Ioctl up = (Op.Ioctl) none.get(socket + 1);
        assertEquals(SIOCSIFFLAGS, up.request());
        assertEquals('l', up.buffer()[0]);
        assertEquals(IFF_UP | IFF_LOOPBACK | IFF_RUNNING, up.buffer()[16] & 0xff);
        assertTrue((ContainerScript.namespaceFlags(plan(Network.NONE, false, false, List.of())) & CLONE_NEWNET) != 0);
        assertEquals(0, ContainerScript.namespaceFlags(plan(Network.HOST, false, false, List.of())) & CLONE_NEWNET);
    }

    @Test
    void devHasTheHostsHarmlessDevicesAndAPrivateDevpts() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of()));
        for (String dev : ContainerScript.DEVICES) {
            int open = indexOf(ops, o -> o instanceof Op.OpenTree t && t.path().equals("/dev/" + dev));
            int attach = indexOf(ops, o -> o instanceof Op.MoveMount m && m.target().equals("/dev/" + dev));
            assertEquals(((Op.OpenTree) ops.get(open)).slot(), ((Op.MoveMount) ops.get(attach)).slot());
            assertEquals(new Op.CreateFile("/dev/" + dev, 0666), ops.get(attach - 1));
            assertEquals(new Op.Close(((Op.MoveMount) ops.get(attach)).slot()), ops.get(attach + 1),
                    "the container keeps no descriptor of a host tree");
        }
        Op.Mount devpts = (Op.Mount) ops.get(indexOf(ops, o -> o instanceof Op.Mount m && "devpts".equals(m.fstype())));
        assertEquals("newinstance,ptmxmode=0666,mode=0620,gid=5", devpts.data());
        assertTrue(ops.contains(new Op.Symlink("pts/ptmx", "/dev/ptmx", 0)));
        assertTrue(ops.contains(new Op.Symlink("/proc/self/fd", "/dev/fd", 0)));
    }

    @Test
    void identityIsSwitchedLastWithCapabilitiesDroppedBeforeAndDeathSignalAfter() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of()));
        int n = ops.size();
        assertInstanceOf(Op.Exec.class, ops.get(n - 1));
        assertEquals(new Op.ParentDeathSignal(SIGKILL), ops.get(n - 2));
        assertEquals(new Op.SetResUid(1000), ops.get(n - 3));
        assertEquals(new Op.SetResGid(1000), ops.get(n - 4));
        assertEquals(new Op.SetGroups(List.of(1000L, 5L, 50L)), ops.get(n - 5));
        // A non-root user without no_new_privs: the filter goes in while CAP_SYS_ADMIN is still held.
        assertInstanceOf(Op.Seccomp.class, ops.get(n - 6));
        assertInstanceOf(Op.CapBsetDrop.class, ops.get(n - 7));
        int chdir = indexOf(ops, o -> o.equals(new Op.Chdir("/work/dir")));
        int mkdir = indexOf(ops, o -> o.equals(new Op.Mkdir("/work/dir", 0755, Op.IGNORE_EEXIST)));
        assertEquals(new Op.Mkdir("/work", 0755, Op.IGNORE_EEXIST), ops.get(mkdir - 1));
        assertTrue(mkdir < chdir);
        // A session of its own even without -t: no TIOCSTI into the caller's terminal (CVE-2017-5226).
        assertEquals(new Op.SetSid(), ops.get(chdir + 1));
        assertEquals(new Op.Dup2(7, 0), ops.get(chdir + 2));   // no -i: stdin is /dev/null
    }

    @Test
    void volumesAreClonedBeforePivotAndAttachedAfterDevWithReadOnlySetOnTheClone() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        List<Op> ops = compile(plan(Network.HOST, false, false, List.of(data + ":/mnt/data:ro", file + ":/etc/app.conf")));
        int pivot = indexOf(ops, o -> o instanceof Op.PivotRoot);
        int openData = indexOf(ops, o -> o instanceof Op.OpenTree t && t.path().equals(data.toString()));
        assertTrue(openData < pivot);
        Op.OpenTree tree = (Op.OpenTree) ops.get(openData);
        assertEquals(new Op.MountSetAttr(tree.slot(), "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0,
                "make volume " + data + " read-only", 0), ops.get(openData + 1));
        int attach = indexOf(ops, o -> o instanceof Op.MoveMount m && m.target().equals("/mnt/data"));
        assertTrue(attach > indexOf(ops, o -> o instanceof Op.Mount m && "devpts".equals(m.fstype())));
        assertEquals(new Op.Mkdir("/mnt/data", 0755, Op.IGNORE_EEXIST), ops.get(attach - 1));
        int attachFile = indexOf(ops, o -> o instanceof Op.MoveMount m && m.target().equals("/etc/app.conf"));
        assertEquals(new Op.CreateFile("/etc/app.conf", 0644), ops.get(attachFile - 1));
    }

    @Test
    void etcFilesComeFromATmpfsThatIsDetachedAfterwards() throws Exception {
        LaunchPlan plan = plan(Network.HOST, false, false, List.of());
        List<Op> ops = compile(plan);
        List<String> written = new ArrayList<>();
        for (Op op : ops) if (op instanceof Op.WriteFile w) written.add(w.path() + "=" + w.text());
        assertTrue(written.contains("/dev/.jrun-etc/hostname=box\n"), written.toString());
        assertTrue(written.contains("/dev/.jrun-etc/resolv.conf=nameserver 192.0.2.53\n"), written.toString());
        assertTrue(written.stream().anyMatch(w -> w.startsWith("/dev/.jrun-etc/hosts=127.0.0.1 localhost\n")
                && w.endsWith("127.0.1.1\tbox\n")), written.toString());
        int umount = indexOf(ops, o -> o.equals(new Op.Umount("/dev/.jrun-etc", MNT_DETACH)));
        assertTrue(umount > indexOf(ops, o -> o instanceof Op.Mount m && "/etc/hosts".equals(m.target())));
        assertEquals(new Op.UnlinkAt(AT_FDCWD, "/dev/.jrun-etc", AT_REMOVEDIR), ops.get(umount + 1));
    }

    @Test
    void readOnlyRootKeepsScratchDirectoriesWritable() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, true, false, List.of()));
        int ro = indexOf(ops, o -> o instanceof Op.MountSetAttr a && "/".equals(a.path()));
        Op.MountSetAttr attr = (Op.MountSetAttr) ops.get(ro);
        assertEquals(MOUNT_ATTR_RDONLY, attr.attrSet());
        assertEquals(0, attr.atFlags() & AT_RECURSIVE);   // /dev, /proc, volumes keep their own flags
        int tmp = indexOf(ops, o -> o instanceof Op.Mount m && "/tmp".equals(m.target()));
        int etc = indexOf(ops, o -> o instanceof Op.Mount m && "/etc/hosts".equals(m.target()));
        int workdir = indexOf(ops, o -> o.equals(new Op.Mkdir("/work/dir", 0755, Op.IGNORE_EEXIST)));
        // Scratch tmpfs before /etc binds and volumes (so it hides neither), the workdir made
        // before the root turns read-only.
        assertTrue(tmp < etc && workdir < ro, ops.toString());
        assertEquals(-1, indexOf(compile(plan(Network.HOST, false, false, List.of())),
                o -> o instanceof Op.MountSetAttr a && "/".equals(a.path())));
    }

    @Test
    void ttyComesFromTheContainersDevptsAndBecomesTheControllingTerminal() throws Exception {
        List<Op> ops = compile(plan(Network.HOST, false, true, List.of()));
        int open = indexOf(ops, o -> o instanceof Op.OpenAt2 a && a.path().equals("/dev/ptmx"));
        assertTrue(open > indexOf(ops, o -> o instanceof Op.Mount m && "devpts".equals(m.fstype())));
        int master = ((Op.OpenAt2) ops.get(open)).slot();
        Op.Ioctl peer = (Op.Ioctl) ops.get(open + 2);
        assertEquals(TIOCGPTPEER, peer.request());
        Op.Ioctl size = (Op.Ioctl) ops.get(open + 3);
        assertEquals(TIOCSWINSZ, size.request());
        assertEquals(24, size.buffer()[0]);
        assertEquals(80, size.buffer()[2]);
        assertEquals(new Op.SendFd(8, master, "the terminal"), ops.get(open + 4));
        int setsid = indexOf(ops, o -> o instanceof Op.SetSid);
        assertEquals(new Op.Dup2(peer.resultSlot(), 0), ops.get(setsid + 1));
        assertEquals(TIOCSCTTY, ((Op.Ioctl) ops.get(setsid + 4)).request());
    }

    @Test
    void slotsDoNotCollide() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        List<Op> ops = compile(plan(Network.NONE, false, true, List.of(data + ":/data")));
        List<Integer> slots = new ArrayList<>();
        for (Op op : ops) {
            int slot = op instanceof Op.OpenTree t ? t.slot() : op instanceof Op.FsOpen f ? f.slot()
                    : op instanceof Op.FsMount m ? m.slot() : op instanceof Op.OpenAt2 a ? a.slot()
                    : op instanceof Op.Socket s ? s.slot() : -1;
            if (slot >= 0) {
                assertTrue(slot >= 200, op.toString());
                assertFalse(slots.contains(slot), "slot reused: " + op);
                slots.add(slot);
            }
        }
    }

    private LaunchPlan podmanPlan(Network network, Optional<String> hostname, boolean readOnly, List<String> volumes,
            List<String> tmpfs) throws Exception {
        Path root = Fixtures.rootfs(tmp.resolve("root"));
        RunSpec s = new RunSpec(new RootFs.Directory(root), ContainerDefaults.NONE, List.of("sh"), Optional.empty(),
                List.of(), List.of(), Optional.empty(), Optional.empty(), hostname, readOnly, volumes, network, false,
                false, Optional.empty(), 10, SecurityOptions.DEFAULT, List.of(), tmpfs, true, true, Optional.empty());
        HostEnvironment host = Fixtures.host(tmp, 1000, "vagrant", "vagrant:100000:65536\n");
        return new LaunchPlanner(host, new RecordingSyscalls(), w -> { }).plan(s);
    }

    @Test
    void theHostsUtsNamespaceGetsNoSethostname() throws Exception {
        List<Op> shared = compile(podmanPlan(Network.HOST, Optional.empty(), false, List.of(), List.of()));
        assertFalse(shared.stream().anyMatch(o -> o instanceof Op.SetHostname), shared.toString());
        List<Op> own = compile(podmanPlan(Network.HOST, Optional.of("box"), false, List.of(), List.of()));
        assertTrue(own.contains(new Op.SetHostname("box")));
    }

    @Test
    void readOnlyMakesMissingScratchDirectoriesAndEtcFilesReadOnly() throws Exception {
        List<Op> ops = compile(podmanPlan(Network.NONE, Optional.of("box"), true, List.of(), List.of()));
        int run = indexOf(ops, o -> o instanceof Op.Mount m && "/run".equals(m.target()));
        assertEquals(new Op.Mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, null, 0), ops.get(run));
        assertEquals(new Op.Mkdir("/run", 0755, Op.IGNORE_EEXIST), ops.get(run - 1));
        int varTmp = indexOf(ops, o -> o instanceof Op.Mount m && "/var/tmp".equals(m.target()));
        assertEquals(new Op.Mkdir("/var", 0755, Op.IGNORE_EEXIST), ops.get(varTmp - 2));
        int hosts = indexOf(ops, o -> o instanceof Op.Mount m && "/etc/hosts".equals(m.target()));
        assertEquals(new Op.MountSetAttr(AT_FDCWD, "/etc/hosts", 0, MOUNT_ATTR_RDONLY, 0,
                "make /etc/hosts read-only", 0), ops.get(hosts + 1));
        int root = indexOf(ops, o -> o instanceof Op.MountSetAttr a && "/".equals(a.path()));
        assertTrue(run < root && hosts < root);
        List<Op> writable = compile(podmanPlan(Network.NONE, Optional.of("box"), false, List.of(), List.of()));
        assertFalse(writable.stream().anyMatch(o -> o instanceof Op.MountSetAttr a && "/etc/hosts".equals(a.path())));
    }

    @Test
    void mtabIsLinkedBeforeTheRootTurnsReadOnly() throws Exception {
        List<Op> ops = compile(podmanPlan(Network.NONE, Optional.of("box"), true, List.of(), List.of()));
        int link = ops.indexOf(new Op.Symlink("/proc/mounts", "/etc/mtab", Op.IGNORE_EEXIST));
        int root = indexOf(ops, o -> o instanceof Op.MountSetAttr a && "/".equals(a.path()));
        assertTrue(link > indexOf(ops, o -> o instanceof Op.PivotRoot) && link < root, ops.toString());
    }

    @Test
    void userMountsGoShallowestFirstSoNoneHidesAnother() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        List<Op> ops = compile(podmanPlan(Network.NONE, Optional.of("box"), false, List.of(data + ":/a/b/c"),
                List.of("/a/b:size=1m", "/a")));
        int a = indexOf(ops, o -> o instanceof Op.Mount m && "/a".equals(m.target()));
        int ab = indexOf(ops, o -> o instanceof Op.Mount m && "/a/b".equals(m.target()));
        int abc = indexOf(ops, o -> o instanceof Op.MoveMount m && "/a/b/c".equals(m.target()));
        assertTrue(a < ab && ab < abc, ops.toString());
        assertEquals(new Op.Mount("tmpfs", "/a/b", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m", 0), ops.get(ab));
    }

    @Test
    void overlayOptionsEscapeSeparators() {
        assertEquals("/a\\,b\\:c\\\\d", ContainerScript.overlayEscape("/a,b:c\\d"));
    }
}
