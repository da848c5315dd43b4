package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.jrun.it.TestUsers.User;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A private network per container (pasta, slirp4netns) as an unprivileged user: published ports
 * reach the container, the host's loopback and abstract sockets do not, and the helper lives
 * exactly as long as the container, also when jrun is killed with SIGKILL.
 */
class NetworkIT {
    static User alice;
    static String rootfs;
    static Path store;

    @BeforeAll
    static void setUp() {
        Host.requireRoot();
        alice = TestUsers.alice();
        rootfs = TestInstall.rootfs().toString();
        TestInstall.dir();
        try {
            store = Files.createTempDirectory("jrun-networkit-store-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Host.check("chown", "alice:", store.toString());
        for (String helper : List.of("/usr/bin/pasta", "/usr/bin/slirp4netns")) {
            Host.require(Files.isExecutable(Path.of(helper)), helper + " is missing: apt-get install passt "
                    + "slirp4netns (.ci/provision-debian installs them)");
        }
        Host.require(Host.run(List.of("stat", "-c", "%a", "/dev/net/tun")).out().strip().equals("666"),
                "/dev/net/tun must be mode 0666 for rootless helpers (.ci/provision-debian sets it)");
    }

    @AfterEach
    void noHelperLeft() throws Exception {
        assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), "network helpers left behind: " + helpers());
    }

    /** pasta and slirp4netns processes of the test user. */
    private static List<String> helpers() {
        return TestInstall.processesOf("alice").stream()
                .filter(p -> p.matches("\\s*[0-9]+ (/usr/bin/pasta|\\S*slirp4netns) .*")).toList();
    }

    /** alice's store for these tests (JRUN_ROOT): their containers are removed with it, not left in her own. */
    @org.junit.jupiter.api.AfterAll
    static void removeStore() {
        if (store == null) return;
        // The containers first (their files belong to alice's subordinate IDs), then the store.
        TestInstall.jrun("alice", store(), "rm", "-a", "-f");
        Host.run(List.of("rm", "-rf", store.toString()));
    }

    private static java.util.Map<String, String> store() {
        return java.util.Map.of("JRUN_ROOT", store.toString());
    }

    private static java.util.Map<String, String> store(String key, String value) {
        return java.util.Map.of("JRUN_ROOT", store.toString(), key, value);
    }

    private static Host.Result jrun(String... args) {
        return TestInstall.jrun("alice", store(), args);
    }

    private static Process start(String... args) throws IOException {
        return new ProcessBuilder(TestInstall.command("alice", store(), args)).directory(TestInstall.dir().toFile())
                .redirectErrorStream(true).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A directory alice's container serves as /data/index.html. */
    private static Path site(String text) throws IOException {
        Path dir = Files.createTempDirectory("jrun-it-www-");
        Files.writeString(dir.resolve("index.html"), text);
        Host.check("chmod", "-R", "a+rX", dir.toString());
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pasta", "slirp4netns"})
    void aPublishedHttpServerAnswersOnTheHost(String helper) throws Exception {
        Path www = site("hello from " + helper + "\n");
        int port = freePort();
        Process jrun = start("run", "--network", helper, "-p", port + ":8080", "--stop-timeout", "1", "-v",
                www + ":/data:ro", "--rootfs", rootfs, "httpd", "-f", "-p", "8080", "-h", "/data");
        try {
            String body = fetch("http://127.0.0.1:" + port + "/index.html", jrun);
            assertEquals("hello from " + helper + "\n", body);
            assertEquals(1, helpers().size(), "one helper while the container runs: " + helpers());
        } finally {
            try {
                RunIT.sigterm(jrun);
                jrun.waitFor();
            } finally {
                Host.check("rm", "-rf", www.toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pasta", "slirp4netns"})
    void killingJrunWithSigkillEndsTheHelper(String helper) throws Exception {
        Path www = site("up\n");
        int port = freePort();
        Process jrun = start("run", "--network", helper, "-p", port + ":8080", "-v", www + ":/data:ro", "--rootfs",
                rootfs, "httpd", "-f", "-p", "8080", "-h", "/data");
        try {
            assertEquals("up\n", fetch("http://127.0.0.1:" + port + "/index.html", jrun));
            assertEquals(1, helpers().size(), helpers().toString());
            RunIT.jrunProcess(jrun).destroyForcibly();   // SIGKILL to jrun (the monitor's attach side by now)
            jrun.waitFor();
            assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), "the helper outlived jrun: " + helpers());
        } finally {
            Host.check("rm", "-rf", www.toString());
        }
    }

    @Test
    void aDetachedContainerGetsPastaWhichEndsWithItsMonitor() throws Exception {
        Path www = site("detached\n");
        int port = freePort();
        try {
            Host.Result started = jrun("run", "-d", "--name", "net-d", "-p", port + ":8080", "-v", www + ":/data:ro",
                    "--rootfs", rootfs, "httpd", "-f", "-p", "8080", "-h", "/data");
            assertEquals(0, started.exit(), started.describe());
            assertEquals("detached\n", fetch("http://127.0.0.1:" + port + "/index.html", null));
            assertTrue(helpers().size() == 1 && helpers().get(0).contains("/usr/bin/pasta"),
                    "-d picks pasta, as podman: " + helpers());
            // stop, start again, rm -f: the helper goes with the container each time.
            assertEquals(0, jrun("stop", "-t", "1", "net-d").exit());
            assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), "pasta outlived stop: " + helpers());
            assertEquals(0, jrun("start", "net-d").exit());
            assertEquals("detached\n", fetch("http://127.0.0.1:" + port + "/index.html", null));
            assertEquals(0, jrun("rm", "-f", "net-d").exit());
            assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), "pasta outlived rm -f: " + helpers());
            // The monitor killed with SIGKILL: the kernel ends pasta (its parent-death signal).
            for (String helper : List.of("pasta", "slirp4netns")) {
                Host.Result again = jrun("run", "-d", "--name", "net-d", "--network", helper, "-p", port + ":8080",
                        "-v", www + ":/data:ro", "--rootfs", rootfs, "httpd", "-f", "-p", "8080", "-h", "/data");
                assertEquals(0, again.exit(), again.describe());
                assertEquals("detached\n", fetch("http://127.0.0.1:" + port + "/index.html", null));
                assertEquals(1, helpers().size(), helpers().toString());
                String monitor = jrun("inspect", "net-d").out().replace(" ", "")
                        .replaceAll("(?s).*\"ConmonPid\":([0-9]+).*", "$1");
                assertTrue(monitor.matches("[0-9]+"), monitor);
                Host.check("kill", "-KILL", monitor);
                assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), helper + " outlived its monitor: " + helpers());
                jrun("rm", "-f", "net-d");
            }
        } finally {
            jrun("rm", "-f", "net-d");
            Host.check("rm", "-rf", www.toString());
        }
    }

    @Test
    void theHostsLoopbackIsReachableOnlyWithAllowHostLoopbackAndByAddedName() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "from the host's loopback\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String get = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 hostbox " + port + " | tail -n 1";
            Host.Result allowed = jrun("run", "--network", "slirp4netns:allow_host_loopback=true", "--add-host",
                    "hostbox:10.0.2.2", "--rootfs", rootfs, "sh", "-c", get);
            assertEquals(0, allowed.exit(), allowed.describe());
            assertEquals("from the host's loopback\n", allowed.out(), allowed.describe());
            for (String network : List.of("slirp4netns", "pasta")) {
                String gateway = network.equals("slirp4netns") ? "10.0.2.2"
                        : "$(ip route | sed -n 's/^default via \\([^ ]*\\).*/\\1/p')";
                Host.Result refused = jrun("run", "--network", network, "--rootfs", rootfs, "sh", "-c",
                        "echo hostbox-is " + gateway + "; for a in 127.0.0.1 " + gateway + "; do printf 'GET / "
                        + "HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $a " + port + "; done; echo done");
                assertEquals(0, refused.exit(), refused.describe());
                assertTrue(!refused.out().contains("from the host's loopback"), network + ": " + refused.describe());
                assertTrue(refused.out().endsWith("done\n"), refused.describe());
                // The gateway was found: the check below it tried a real address, not an empty one.
                assertTrue(refused.out().matches("(?s)hostbox-is [0-9.]+\n.*"), refused.describe());
            }
            // The control: the same command does reach it on the host's network.
            Host.Result host = jrun("run", "--network", "host", "--rootfs", rootfs, "sh", "-c",
                    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 " + port);
            assertTrue(host.out().contains("from the host's loopback"), host.describe());
        } finally {
            server.stop(0);
        }
    }

    /** bind(2) of an abstract AF_UNIX socket (unix(7): a name that starts with a NUL byte). */
    interface CLib extends Library {
        CLib C = Native.load("c", CLib.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int length);

        int listen(int fd, int backlog);

        int close(int fd);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pasta", "slirp4netns"})
    void theHostsAbstractSocketsAreNotInAPrivateNetwork(String helper) throws Exception {
        String name = "jrun-it-abstract-" + ProcessHandle.current().pid();
        byte[] path = name.getBytes(StandardCharsets.US_ASCII);
        byte[] address = new byte[3 + path.length];
        address[0] = 1;   // AF_UNIX, little-endian sa_family_t
        System.arraycopy(path, 0, address, 3, path.length);
        int fd = CLib.C.socket(1, 1, 0);
        assertTrue(fd >= 0, "socket(AF_UNIX)");
        try {
            assertEquals(0, CLib.C.bind(fd, address, address.length), "bind @" + name);
            assertEquals(0, CLib.C.listen(fd, 1));
            // Abstract sockets belong to a network namespace: /proc/net/unix lists the reader's.
            Host.Result inHost = jrun("run", "--network", "host", "--rootfs", rootfs, "cat", "/proc/net/unix");
            assertTrue(inHost.out().contains("@" + name), "control: the host network sees it: " + inHost.describe());
            Host.Result inPrivate = jrun("run", "--network", helper, "--rootfs", rootfs, "cat", "/proc/net/unix");
            assertEquals(0, inPrivate.exit(), inPrivate.describe());
            assertTrue(!inPrivate.out().contains(name), inPrivate.describe());
        } finally {
            CLib.C.close(fd);
        }
    }

    @Test
    void networkNoneHasOnlyLoopbackAndTheDefaultHasAHelpersInterface() {
        Host.Result none = jrun("run", "--network", "none", "--rootfs", rootfs, "ls", "/sys/class/net");
        assertEquals(0, none.exit(), none.describe());
        assertEquals("lo\n", none.out());
        Host.Result dflt = jrun("run", "--rootfs", rootfs, "sh", "-c", "ls /sys/class/net; cat /etc/resolv.conf");
        assertEquals(0, dflt.exit(), dflt.describe());
        assertTrue(dflt.out().contains("lo\n") && dflt.out().lines().count() > 2, dflt.describe());
        Host.Result slirp = jrun("run", "--network", "slirp4netns", "--dns-search", "example.test", "--rootfs",
                rootfs, "sh", "-c", "ls /sys/class/net; cat /etc/resolv.conf; grep -c host.containers.internal "
                        + "/etc/hosts");
        assertEquals("lo\ntap0\nsearch example.test\nnameserver 10.0.2.3\n1\n", slirp.out(), slirp.describe());
    }

    @Test
    void aPortInUseIsJrunsErrorBeforeTheContainerStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            for (String helper : List.of("pasta", "slirp4netns")) {
                Host.Result r = jrun("run", "--network", helper, "-p", port + ":80", "--rootfs", rootfs, "echo",
                        "should not run");
                assertEquals(125, r.exit(), r.describe());
                assertTrue(r.err().contains(String.valueOf(port)) && r.err().contains("in use"), r.describe());
                assertTrue(!r.out().contains("should not run"), r.describe());
            }
        }
        Host.Result injected = jrun("run", "--network", "pasta:--runas,0", "--rootfs", rootfs, "true");
        assertEquals(125, injected.exit(), injected.describe());
        assertTrue(injected.err().contains("is not accepted"), injected.describe());
    }

    /**
     * A container's processes may make namespaces of their own (here its main process is in a
     * user and network namespace of --privileged root's making, with maps root chose): joining
     * those would plan the new container under maps jrun did not write, so it is refused.
     */
    @Test
    void namespacesAContainersProcessesMadeAreNotJoined() {
        try {
            Host.Result nested = jrun("run", "-d", "--name", "net-nest", "--privileged", "--rootfs", rootfs,
                    "unshare", "-Urn", "sleep", "300");
            assertEquals(0, nested.exit(), nested.describe());
            Host.Result join = jrun("run", "--rm", "--network", "container:net-nest", "--rootfs", rootfs, "true");
            assertEquals(125, join.exit(), join.describe());
            assertTrue(join.err().contains("namespaces its processes made"), join.describe());
        } finally {
            jrun("rm", "-f", "net-nest");
        }
    }

    @Test
    void aContainerSharesAnothersNetworkWhileItRuns() throws Exception {
        Path www = site("shared\n");
        try {
            Host.Result a = jrun("run", "-d", "--name", "net-a", "--add-host", "db.test:10.1.2.3", "-v",
                    www + ":/data:ro", "--rootfs", rootfs, "httpd", "-f", "-p", "8080", "-h", "/data");
            assertEquals(0, a.exit(), a.describe());
            String id = a.out().strip();
            String look = "ls /sys/class/net; ip -4 addr show | sed -n 's/.*inet \\([0-9./]*\\).*/\\1/p'";
            Host.Result inA = jrun("exec", "net-a", "sh", "-c", look);
            assertEquals(0, inA.exit(), inA.describe());
            String get = "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/index.html && break; "
                    + "sleep 0.2; done; ";
            Host.Result b = jrun("run", "--rm", "--network", "container:net-a", "--hostname", "joiner", "--rootfs",
                    rootfs, "sh", "-c", get + look + "; echo ---; hostname; cat /etc/hosts");
            assertEquals(0, b.exit(), b.describe());
            // B reaches A's server on their common loopback and sees A's interfaces and addresses.
            assertTrue(inA.out().contains("lo\n") && inA.out().lines().count() > 2, inA.describe());
            assertTrue(b.out().startsWith("shared\n" + inA.out() + "---\njoiner\n"), b.describe() + "\nA: " + inA.out());
            assertTrue(b.out().contains("10.1.2.3\tdb.test\n") && b.out().contains("127.0.0.1\tjoiner\n"),
                    "A's /etc/hosts and B's hostname: " + b.describe());
            Host.Result detached = jrun("run", "-d", "--name", "net-b", "--network", "container:" + id.substring(0, 12),
                    "--rootfs", rootfs, "sleep", "600");
            assertEquals(0, detached.exit(), detached.describe());
            Host.Result mode = jrun("inspect", "net-b");
            assertTrue(mode.out().replace(" ", "").contains("\"NetworkMode\":\"container:" + id + "\""),
                    mode.describe());
            // Podman's conflicts: the name service is A's; published ports are discarded.
            Host.Result dns = jrun("run", "--rm", "--network", "container:net-a", "--dns", "192.0.2.1", "--rootfs",
                    rootfs, "true");
            assertEquals(125, dns.exit(), dns.describe());
            assertTrue(dns.err().contains("conflicting options"), dns.describe());
            // A ends: B keeps the namespace, with A's helper gone only loopback is left (as podman).
            assertEquals(0, jrun("rm", "-f", "net-a").exit());
            assertTrue(waitUntil(() -> helpers().isEmpty(), 5000), "A's helper outlived A: " + helpers());
            Host.Result left = jrun("exec", "net-b", "ls", "/sys/class/net");
            assertEquals("lo\n", left.out(), left.describe());
            // A stopped or unknown target: jrun's error, naming it and what to do.
            Host.Result stopped = jrun("run", "-d", "--name", "net-c", "--rootfs", rootfs, "true");
            assertEquals(0, stopped.exit(), stopped.describe());
            assertEquals(0, jrun("wait", "net-c").exit());
            Host.Result toStopped = jrun("run", "--rm", "--network", "container:net-c", "--rootfs", rootfs, "true");
            assertEquals(125, toStopped.exit(), toStopped.describe());
            assertTrue(toStopped.err().contains("net-c is not running") && toStopped.err().contains("jrun start net-c"),
                    toStopped.describe());
            Host.Result unknown = jrun("run", "--rm", "--net", "container:no-such-ctr", "--rootfs", rootfs, "true");
            assertEquals(125, unknown.exit(), unknown.describe());
            assertTrue(unknown.err().contains("no-such-ctr"), unknown.describe());
        } finally {
            for (String name : List.of("net-a", "net-b", "net-c")) jrun("rm", "-f", name);
            Host.check("rm", "-rf", www.toString());
        }
    }

    @Test
    void nsPathEntersANamespaceOfTheCallersOwnUserNamespacesOnly() throws Exception {
        Host.Result self = jrun("run", "--rm", "--network", "ns:/proc/self/ns/net", "--rootfs", rootfs, "true");
        assertEquals(125, self.exit(), self.describe());
        assertTrue(self.err().contains("--network host"), "the host's namespace points at --network host: "
                + self.describe());
        Host.Result notNet = jrun("run", "--rm", "--network", "ns:/proc/self/ns/user", "--rootfs", rootfs, "true");
        assertEquals(125, notNet.exit(), notNet.describe());
        assertTrue(notNet.err().contains("not a network namespace"), notNet.describe());
        // A network namespace alice made with unshare, with her full map, holding a listener.
        Process holder = new ProcessBuilder(List.of("runuser", "-u", "alice", "--", "unshare", "--map-auto",
                "--map-root-user", "--net", "sh", "-c", "ip link set lo up && echo $$ && echo from-the-namespace "
                        + "| exec /bin/busybox nc -l -p 7070")).start();
        try {
            String pid = firstLine(holder);
            Host.Result in = jrun("run", "--rm", "--network", "ns:/proc/" + pid + "/ns/net", "--rootfs", rootfs, "sh",
                    "-c", "ls /sys/class/net; nc 127.0.0.1 7070 </dev/null");
            assertEquals(0, in.exit(), in.describe());
            assertEquals("lo\nfrom-the-namespace\n", in.out(), in.describe());
        } finally {
            holder.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly();
            holder.waitFor();
        }
        // unshare -r's namespace maps one ID and denies setgroups: refused, saying why.
        Process single = new ProcessBuilder(List.of("runuser", "-u", "alice", "--", "unshare", "-Urn", "sh", "-c",
                "echo $$; exec sleep 60")).start();
        try {
            String pid = firstLine(single);
            Host.Result denied = jrun("run", "--rm", "--network", "ns:/proc/" + pid + "/ns/net", "--rootfs", rootfs,
                    "true");
            assertEquals(125, denied.exit(), denied.describe());
            assertTrue(denied.err().contains("denies setgroups"), denied.describe());
        } finally {
            single.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            single.destroyForcibly();
            single.waitFor();
        }
    }

    @Test
    void containersConfChoosesTheDefaultNetwork() throws Exception {
        Path dir = Files.createTempDirectory("jrun-it-conf-");
        try {
            Path conf = dir.resolve("containers.conf");
            Host.check("chmod", "a+rx", dir.toString());
            String look = "ls /sys/class/net | tr '\\n' ' '";
            // podman 4.4+'s [network] default_rootless_network_cmd, and slirp4netns's default options.
            Files.writeString(conf, "[network]\ndefault_rootless_network_cmd = \"slirp4netns\"\n"
                    + "[engine]\nnetwork_cmd_options = [\"mtu=1400\"]\n");
            Host.check("chmod", "a+r", conf.toString());
            Host.Result slirp = TestInstall.jrun("alice", store("CONTAINERS_CONF", conf.toString()), "run",
                    "--rm", "--rootfs", rootfs, "sh", "-c", look + "; cat /sys/class/net/tap0/mtu");
            assertEquals("lo tap0 1400\n", slirp.out(), slirp.describe());
            // [containers] netns, as Debian 12's containers.conf spells it.
            Files.writeString(conf, "[containers]\nnetns = \"none\"\n");
            Host.Result none = TestInstall.jrun("alice", store("CONTAINERS_CONF", conf.toString()), "run",
                    "--rm", "--rootfs", rootfs, "sh", "-c", look);
            assertEquals("lo ", none.out(), none.describe());
        } finally {
            Host.check("rm", "-rf", dir.toString());
        }
    }

    @Test
    void withNeitherHelperInstalledTheHostsNetworkIsUsedWithOneWarning() {
        // The helpers hidden from jrun's view only (a mount namespace of root's: /dev/null is no program).
        List<String> cmd = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh",
                "-c", "mount --bind /dev/null /usr/bin/pasta && mount --bind /dev/null /usr/bin/slirp4netns && "
                        + "exec \"$@\"", "sh"));
        cmd.addAll(TestInstall.command("alice", store(), "run", "--rm", "--rootfs", rootfs, "ls", "/sys/class/net"));
        Host.Result r = Host.run(cmd, TestInstall.dir().toFile(), 120);
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().contains("lo\n") && r.out().lines().count() > 1, "the host's interfaces: " + r.describe());
        assertEquals(1, r.err().split("neither pasta nor slirp4netns is installed", -1).length - 1, r.describe());
        assertTrue(r.err().contains("apt-get install passt"), r.describe());
    }

    private static String firstLine(Process p) throws IOException {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertTrue(line != null && line.matches("[0-9]+"), "the namespace's holder printed its PID: " + line);
        return line;
    }

    /** GET {@code url} until the container answers (its helper and server need a moment); jrun may be null. */
    private static String fetch(String url, Process jrun) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Exception last = null;
        for (int i = 0; i < 100; i++) {
            if (jrun != null && !jrun.isAlive()) {
                fail("jrun ended (" + jrun.exitValue() + "): " + new String(jrun.getInputStream().readAllBytes()));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return r.body();
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer from " + url + ": " + last);
    }

    private static boolean waitUntil(java.util.function.BooleanSupplier condition, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
