package dev.jrun.testing;

import dev.jrun.oci.Platform;

import dev.jrun.registry.CredentialSource;
import dev.jrun.registry.Credentials;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RemoteRepository;
import dev.jrun.registry.RetryPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real registry for tests: Debian's {@code docker-registry} (the CNCF distribution registry)
 * serving plain HTTP on 127.0.0.1 with a free port, a temporary storage directory and config.
 * Close it to stop the process and delete its files.
 *
 * <pre>
 *   try (TestRegistry registry = TestRegistry.start()) {
 *       TestImages.builder().layer(Map.of("hello", bytes)).push(registry, "test/hello:latest");
 *       RegistryClient client = registry.client();
 *       client.resolveImage(registry.repository("test/hello"), "latest", Platform.host());
 *   }
 * </pre>
 */
public final class TestRegistry implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Path dir;
    private final Process process;
    private final int port;
    private final Credentials credentials;
    private final List<AutoCloseable> companions;
    private final Thread reaper;

    private TestRegistry(Path dir, Process process, int port, Credentials credentials, List<AutoCloseable> companions,
                         Thread reaper) {
        this.reaper = reaper;
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.credentials = credentials;
        this.companions = companions;
    }

    /** An open registry: anyone may pull and push. */
    public static TestRegistry start() {
        return launch("", null, List.of());
    }

    /** A registry that wants HTTP Basic auth from {@code user} (htpasswd with bcrypt, as the registry requires). */
    public static TestRegistry startWithBasicAuth(String user, String password) {
        Environment.require(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd (apt-get install apache2-utils)");
        Path dir = tempDir();
        String line = run(List.of("/usr/bin/htpasswd", "-Bbn", user, password)).trim();
        write(dir.resolve("htpasswd"), line + "\n");
        String auth = "auth:\n  htpasswd:\n    realm: jrun-test\n    path: " + dir.resolve("htpasswd") + "\n";
        return launch(dir, auth, new Credentials(user, password), List.of());
    }

    /**
     * A registry that wants Bearer tokens from {@code tokens} (see {@link TokenService}); the
     * token service is closed with the registry.
     */
    public static TestRegistry startWithTokenAuth(TokenService tokens) {
        Path dir = tempDir();
        Path bundle = dir.resolve("token-root.pem");
        write(bundle, tokens.certificatePem());
        String auth = "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + tokens.service()
                + "\n    issuer: " + tokens.issuer() + "\n    rootcertbundle: " + bundle + "\n";
        return launch(dir, auth, null, List.of(tokens));
    }

    private static TestRegistry launch(String auth, Credentials credentials, List<AutoCloseable> companions) {
        return launch(tempDir(), auth, credentials, companions);
    }

    private static TestRegistry launch(Path dir, String auth, Credentials credentials, List<AutoCloseable> companions) {
        Environment.require(Files.isExecutable(BINARY), BINARY + " (apt-get install docker-registry)");
        IllegalStateException last = null;
        // A free port can be taken between choosing and binding it: try a few.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path config = dir.resolve("config.yml");
            write(config, "version: 0.1\n"
                    + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n"
                    + "  delete:\n    enabled: true\n"
                    + "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                    + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: jrun-test-secret\n"
                    + auth);
            Process process;
            try {
                process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("registry.log").toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("start " + BINARY, e);
            }
            // A test JVM that dies without closing must not leave registries running.
            Thread reaper = new Thread(process::destroyForcibly, "test-registry-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            try {
                waitUntilServing(process, port);
                return new TestRegistry(dir, process, port, credentials, new ArrayList<>(companions), reaper);
            } catch (IllegalStateException e) {
                process.destroyForcibly();
                Runtime.getRuntime().removeShutdownHook(reaper);
                last = new IllegalStateException(e.getMessage() + "\nregistry log:\n" + read(dir.resolve("registry.log")), e);
            }
        }
        deleteTree(dir);
        throw last;
    }

    private static void waitUntilServing(Process process, int port) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with status " + process.exitValue());
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/v2/").openConnection();
                connection.setConnectTimeout(500);
                connection.setReadTimeout(2000);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            sleep(50);
        }
        throw new IllegalStateException("docker-registry did not answer on 127.0.0.1:" + port + " within " + STARTUP);
    }

    /** host:port, e.g. 127.0.0.1:40123. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The credentials this registry accepts, for Basic-auth registries. */
    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** A repository on this registry, marked insecure because it serves plain HTTP. */
    public RemoteRepository repository(String name) {
        return new RemoteRepository(host(), name, true);
    }

    /** A client with this registry's credentials (if any) and fast retries. */
    public RegistryClient client() {
        CredentialSource source = credentials == null ? CredentialSource.NONE
                : (registry, repository) -> registry.equals(host()) ? Optional.of(credentials) : Optional.empty();
        return client(source);
    }

    public RegistryClient client(CredentialSource source) {
        return RegistryClient.builder().credentials(source)
                .retry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(10)))
                .build();
    }

    /** The registry's storage directory (to tamper with blobs in negative tests). */
    public Path storage() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        Runtime.getRuntime().removeShutdownHook(reaper);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable companion : companions) {
            try {
                companion.close();
            } catch (Exception e) {
                throw new IllegalStateException("stop " + companion, e);
            }
        }
        deleteTree(dir);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("find a free port", e);
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("jrun-test-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException("create temporary directory", e);
        }
    }

    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + root, e);
        }
    }
}
