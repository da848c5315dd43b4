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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import dev.jrun.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
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
    static TestRegistry registry;
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
                    if (a[0].equals("pull")) {
                        pull(a[2], a[3]);
                        return;
                    }
                    JrunContainer c = Jrun.local().containerFromRootfs(Path.of(a[1])).withCommand("sleep", "600");
                    if (a[0].equals("keep")) c.withKeep();
                    c.start();
                    if (a[0].equals("execs")) {
                        System.out.println("syscalls=" + Jrun.syscalls());
                        for (int i = 0; i < 10; i++) {
                            ExecResult r = c.exec("sh", "-c", "echo $0; exit 3", "x" + i);
                            if (r.exitCode() != 3 || !r.stdout().equals("x" + i + "\\n")) throw new AssertionError(r);
                        }
                        // Several threads exec at once through the handle's one engine.
                        java.util.List<Thread> threads = new java.util.ArrayList<>();
                        java.util.concurrent.atomic.AtomicInteger right = new java.util.concurrent.atomic.AtomicInteger();
                        for (int t = 0; t < 4; t++) {
                            String word = "t" + t;
                            Thread th = new Thread(() -> {
                                for (int i = 0; i < 5; i++) {
                                    ExecResult r = c.exec("sh", "-c", "echo $0", word + i);
                                    if (r.exitCode() == 0 && r.stdout().equals(word + i + "\\n")) right.incrementAndGet();
                                }
                            });
                            th.start();
                            threads.add(th);
                        }
                        for (Thread th : threads) th.join();
                        System.out.println("parallel-execs-right=" + right.get());
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
                static void pull(String present, String missing) {
                    ImageInfo got = Jrun.local().images().pull(present, new PullListener() {
                        public void message(String line) { System.out.println("message=" + line); }
                        public synchronized void layer(LayerProgress p) {
                            System.out.println("layer=" + p.digest() + " " + p.bytes() + " " + p.size());
                        }
                    });
                    System.out.println("pulled=" + got.names());
                    try {
                        Jrun.local().images().pull(missing, new PullListener() {});
                        System.out.println("missing pulled?");
                    } catch (JrunApiException e) {
                        System.out.println("missing=" + e.getClass().getSimpleName() + " " + e.exitCode() + " " + e.getMessage());
                    }
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
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
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

    private List<String> driverCommand(String mode, String... more) {
        return driverCommand(Map.of(), mode, more);
    }

    /** The driver as alice, on the JVM the ITs run jrun on (-Djrun.it.java.home: JDK 25 and Panama in CI's second pass). */
    private List<String> driverCommand(Map<String, String> env, String mode, String... more) {
        Path install = TestInstall.dir();
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", alice.name(), "--", "env", "-i",
                "PATH=/usr/bin:/bin", "HOME=/home/" + alice.name(), "USER=" + alice.name(), "JRUN_ROOT=" + store));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(Path.of(TestInstall.javaHome(), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", install.resolve("target/jrun.jar") + ":" + install.resolve("target/lib") + "/*",
                driver.toString(), mode, rootfs.toString()));
        cmd.addAll(List.of(more));
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
    void aPullReportsEachLayersBytesUpToItsSizeAndAnUnknownImageFailsWithTheCommandLinesMessage() throws Exception {
        // A layer of 1 MiB of random data (incompressible): several reports of 256 KiB, then the last.
        byte[] data = new byte[1024 * 1024];
        new Random(12).nextBytes(data);
        TestImages.Pushed pushed = ItImages.base(TestLayer.builder().dir("big").file("big/data", data, 0644, 0, 0).build())
                .push(registry, "library/library-pull:latest");
        Path config = Files.createTempDirectory("jrun-library-config-");
        try {
            Files.createDirectories(config.resolve("containers"));
            Files.writeString(config.resolve("containers/registries.conf"), """
                    [[registry]]
                    location = "%s"
                    insecure = true
                    """.formatted(registry.host()));
            Host.check("chmod", "-R", "a+rX", config.toString());
            Map<String, String> env = Map.of("XDG_CONFIG_HOME", config.toString());
            String present = registry.host() + "/library/library-pull:latest";
            String missing = registry.host() + "/library/not-pushed:latest";
            Host.Result r = Host.run(driverCommand(env, "pull", present, missing), null, 180);
            assertEquals(0, r.exit(), r.describe());

            // Each layer's reports: in order, 256 KiB apart, the last one its size; all layers' last ones add up.
            Map<String, List<long[]>> reports = new java.util.LinkedHashMap<>();
            for (String line : r.out().lines().filter(l -> l.startsWith("layer=")).toList()) {
                String[] f = line.substring("layer=".length()).split(" ");
                reports.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
            List<TestLayer> layers = pushed.image().layers();
            assertEquals(layers.stream().map(l -> l.digest().toString()).sorted().toList(),
                    reports.keySet().stream().sorted().toList(), "one layer's reports per layer pushed: " + r.describe());
            long total = 0;
            for (TestLayer layer : layers) {
                List<long[]> seen = reports.get(layer.digest().toString());
                for (int i = 0; i < seen.size(); i++) {
                    assertEquals(layer.size(), seen.get(i)[1], "the size reported for " + layer.digest());
                    long before = i == 0 ? 0 : seen.get(i - 1)[0];
                    if (i < seen.size() - 1) {
                        assertTrue(seen.get(i)[0] - before >= 256 * 1024, "reports 256 KiB apart: " + r.describe());
                    } else {
                        assertTrue(seen.get(i)[0] > before || seen.size() == 1, "bytes grow: " + r.describe());
                    }
                }
                assertEquals(layer.size(), seen.get(seen.size() - 1)[0], "the last report of " + layer.digest() + " is its size");
                total += seen.get(seen.size() - 1)[0];
            }
            assertEquals(layers.stream().mapToLong(TestLayer::size).sum(), total);
            assertTrue(reports.get(layers.get(2).digest().toString()).size() >= 4,
                    "the 1 MiB layer is reported as it arrives, not only at its end: " + r.describe());
            assertTrue(r.out().contains("message=Stored " + present), r.describe());
            assertTrue(r.out().contains("pulled=[" + present + "]"), r.describe());

            // An image the registry does not have: the typed exception, with the message `jrun pull` prints.
            Host.Result cli = TestInstall.jrun(alice.name(), Map.of("JRUN_ROOT", store.toString(),
                    "XDG_CONFIG_HOME", config.toString()), "pull", missing);
            assertEquals(125, cli.exit(), cli.describe());
            String cliMessage = cli.err().lines().filter(l -> l.startsWith("Error: ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no Error: line: " + cli.describe())).substring("Error: ".length());
            assertTrue(cliMessage.contains("not-pushed"), cli.describe());
            assertTrue(r.out().contains("missing=ImageNotFoundException 125 " + cliMessage + "\n"), r.describe() + "\nCLI: " + cliMessage);
        } finally {
            Host.run(List.of("rm", "-rf", config.toString()));
        }
    }

    @Test
    void execsAlsoFromSeveralThreadsAtOnceAndCloseLeaveNoZombieChildren() throws Exception {
        Host.Result r = Host.run(driverCommand("execs"), null, 120);
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("parallel-execs-right=20"), r.describe());
        assertTrue(r.out().contains("zombies-after-execs=0"), r.describe());
        assertTrue(r.out().contains("zombies-after-close=0"), r.describe());
        // The library on the driver's JVM takes its backend: Panama on JDK 22+ (CI's second pass), else JNA.
        String release = Files.readString(Path.of(TestInstall.javaHome(), "release"));
        var m = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(release);
        assertTrue(m.find(), release);
        String backend = Integer.parseInt(m.group(1)) >= 22 ? "panama" : "jna";
        assertTrue(r.out().contains("syscalls=" + backend + "\n"), "expected the " + backend + " backend: " + r.describe());
        assertNotEquals(-1, r.out().indexOf("zombies"));
    }
}
