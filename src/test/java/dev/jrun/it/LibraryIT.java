package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.it.TestUsers.User;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * jrun as a library (dev.jrun.api), used by a small program run as alice: what outlives the
 * program's JVM (nothing, unless kept) and what it leaves among its children (no zombie).
 * examples/junit (run by .ci/test-junit-example) covers the API's features from a project of its own.
 */
class LibraryIT {
    static User alice;
    static Path rootfs;
    static Path driver;
    Path store;

    private static final String DRIVER = """
            import dev.jrun.api.*;
            import java.nio.file.*;
            public class Driver {
                public static void main(String[] a) throws Exception {
                    if (a[0].equals("image")) {
                        image();
                        return;
                    }
                    JrunContainer c = Jrun.local().containerFromRootfs(Path.of(a[1])).withCommand("sleep", "600");
                    if (a[0].equals("keep")) c.withKeep();
                    c.start();
                    if (a[0].equals("execs")) {
                        for (int i = 0; i < 10; i++) {
                            ExecResult r = c.exec("sh", "-c", "echo $0; exit 3", "x" + i);
                            if (r.exitCode() != 3 || !r.stdout().equals("x" + i + "\\n")) throw new AssertionError(r);
                        }
                        System.out.println("zombies-after-execs=" + zombies());
                        c.close();
                        System.out.println("zombies-after-close=" + zombies());
                        return;
                    }
                    System.out.println("id=" + c.id());
                    Thread.sleep(600_000);
                }
                static void image() {
                    Images images = Jrun.local().images();
                    System.out.println("listed=" + images.list().stream().flatMap(i -> i.names().stream()).toList());
                    try (JrunContainer c = Jrun.local().container("localhost/library-it").withRunOption("--pull", "never")
                            .withEnv("GREETING", "hello").withCommand("sleep", "60").start()) {
                        System.out.println("env=" + c.exec("sh", "-c", "echo $GREETING").stdout().strip());
                    }
                    try {
                        Jrun.local().container("localhost/not-there").withRunOption("--pull", "never").start();
                    } catch (JrunApiException e) {
                        System.out.println("missing=" + e.exitCode() + " " + e.getMessage());
                    }
                    images.remove("localhost/library-it", false);
                    System.out.println("after-remove=" + images.list());
                }
                static long zombies() throws Exception {
                    long n = 0;
                    for (Path task : Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                        try {
                            for (String pid : Files.readString(task.resolve("children")).split(" ")) {
                                if (pid.isBlank()) continue;
                                String stat = Files.readString(Path.of("/proc", pid.strip(), "stat"));
                                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) n++;
                            }
                        } catch (NoSuchFileException gone) {
                            // a thread (or a child) that ended while we looked
                        }
                    }
                    return n;
                }
            }
            """;

    @BeforeAll
    static void setUp() throws Exception {
        Host.requireRoot();
        alice = TestUsers.alice();
        rootfs = TestInstall.rootfs();
        Path dir = Files.createTempDirectory("jrun-library-it-");
        driver = dir.resolve("Driver.java");
        Files.writeString(driver, DRIVER);
        Host.check("chmod", "-R", "a+rX", dir.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Host.run(List.of("rm", "-rf", dir.toString()))));
    }

    @BeforeEach
    void newStore() throws Exception {
        store = Files.createTempDirectory("jrun-library-");
        Host.check("chown", alice.name() + ":", store.toString());
    }

    @AfterEach
    void removeStore() {
        TestInstall.jrun(alice.name(), "--root", store.toString(), "rm", "-a", "-f");
        Host.run(List.of("pkill", "-KILL", "-u", alice.name(), "-f", driver.toString()));
        Host.run(List.of("rm", "-rf", store.toString()));
    }

    private List<String> driverCommand(String mode) {
        Path install = TestInstall.dir();
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", alice.name(), "--", "env", "-i",
                "PATH=/usr/bin:/bin", "HOME=/home/" + alice.name(), "USER=" + alice.name(), "JRUN_ROOT=" + store,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", install.resolve("target/jrun.jar") + ":" + install.resolve("target/lib") + "/*",
                driver.toString(), mode, rootfs.toString()));
        return cmd;
    }

    /** Starts the driver, returns it with the container's ID it printed. */
    private String startHolding(String mode, Process[] out) throws Exception {
        Process p = new ProcessBuilder(driverCommand(mode)).redirectErrorStream(true).start();
        out[0] = p;
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("id=")) return line.substring(3);
            seen.append(line).append('\n');
        }
        throw new AssertionError("the driver ended without starting its container:\n" + seen);
    }

    private int driverJvm() {
        Host.Result r = Host.run(List.of("pgrep", "-u", alice.name(), "-f", "java .*" + driver));
        assertEquals(0, r.exit(), "the driver's JVM: " + r.describe());
        return Integer.parseInt(r.out().strip().split("\n")[0].strip());
    }

    private boolean running(String id) {
        Host.Result r = TestInstall.jrun(alice.name(), "--root", store.toString(), "ps", "-a", "--format", "json");
        assertEquals(0, r.exit(), r.describe());
        return r.out().contains(id.substring(0, 12)) && r.out().contains("\"running\"");
    }

    private boolean listed(String id) {
        Host.Result r = TestInstall.jrun(alice.name(), "--root", store.toString(), "ps", "-a", "--format", "json");
        assertEquals(0, r.exit(), r.describe());
        return r.out().contains(id.substring(0, 12));
    }

    private boolean sleeperAlive() {
        return Host.run(List.of("pgrep", "-u", alice.name(), "-x", "sleep")).out().lines()
                .anyMatch(pid -> Host.run(List.of("cat", "/proc/" + pid.strip() + "/cmdline")).out().contains("600"));
    }

    @Test
    void aContainerDiesAndIsRemovedWithTheJvmThatStartedItEvenByKill9() throws Exception {
        Process[] p = new Process[1];
        String id = startHolding("hold", p);
        assertTrue(listed(id), "the container is in the store while its JVM runs");
        assertTrue(sleeperAlive(), "the container's process runs");
        Host.check("kill", "-KILL", Integer.toString(driverJvm()));
        p[0].waitFor(10, TimeUnit.SECONDS);
        boolean gone = false;
        for (int i = 0; i < 50 && !gone; i++) {
            gone = !listed(id) && !sleeperAlive();
            if (!gone) Thread.sleep(100);
        }
        assertTrue(gone, "after kill -9 of its JVM, container " + id + " is neither running nor in the store");
        assertEquals(List.of(), TestInstall.processesOf(alice.name()).stream()
                .filter(l -> l.contains("jrun-monitor") && l.contains(store.toString())).toList());
    }

    @Test
    void aKeptContainerOutlivesItsJvm() throws Exception {
        Process[] p = new Process[1];
        String id = startHolding("keep", p);
        Host.check("kill", "-KILL", Integer.toString(driverJvm()));
        p[0].waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertTrue(running(id), "a kept container runs on after its JVM's kill -9");
        Host.Result rm = TestInstall.jrun(alice.name(), "--root", store.toString(), "rm", "-f", id);
        assertEquals(0, rm.exit(), rm.describe());
    }

    @Test
    void anImageIsListedRunAndRemovedThroughTheApi() throws Exception {
        Path tar = Files.createTempFile("jrun-library-it-", ".tar");
        try {
            Host.check("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".");
            Host.check("chmod", "a+r", tar.toString());
            Host.Result imported = TestInstall.jrun(alice.name(), "--root", store.toString(), "import", tar.toString(),
                    "localhost/library-it");
            assertEquals(0, imported.exit(), imported.describe());
            Host.Result r = Host.run(driverCommand("image"), null, 120);
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.out().contains("listed=[localhost/library-it:latest]"), r.describe());
            assertTrue(r.out().contains("env=hello"), r.describe());
            assertTrue(r.out().contains("missing=125 image localhost/not-there is not in the store and --pull=never "
                    + "forbids pulling it"), r.describe());
            assertTrue(r.out().contains("after-remove=[]"), r.describe());
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    @Test
    void execsAndCloseLeaveNoZombieChildren() throws Exception {
        Host.Result r = Host.run(driverCommand("execs"), null, 120);
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("zombies-after-execs=0"), r.describe());
        assertTrue(r.out().contains("zombies-after-close=0"), r.describe());
        assertNotEquals(-1, r.out().indexOf("zombies"));
    }
}
