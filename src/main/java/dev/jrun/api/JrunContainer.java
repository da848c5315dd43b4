package dev.jrun.api;

import dev.jrun.container.ContainerExec;
import dev.jrun.container.ContainerLogs;
import dev.jrun.container.ContainerRunner;
import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.container.Engine;
import dev.jrun.container.ExecRequest;
import dev.jrun.container.RunRequest;
import dev.jrun.errors.JrunException;
import dev.jrun.runtime.Network;
import dev.jrun.runtime.Signals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One container: configured with the {@code with...} methods, then {@link #start()}ed, then
 * used (exec, logs, waits, files) and {@link #close()}d, which removes it. It runs under a
 * jrun-monitor started by this JVM; if this JVM dies, even by kill -9, the monitor kills and
 * removes it, unless {@link #withKeep()} asked to keep it.
 *
 * <p>Every option becomes an argument of `jrun run`, parsed by the command line's own parser:
 * the library and the command line mean the same by each ({@link #runArguments()} shows them).
 */
public final class JrunContainer implements AutoCloseable {
    private final Jrun jrun;
    private final ContainerConfig options;

    private Engine engine;
    private Containers containers;
    private String id;
    private Reaper reaper;
    private boolean closed;

    JrunContainer(Jrun jrun, String image, Path rootfs) {
        this.jrun = jrun;
        this.options = new ContainerConfig(image, rootfs);
    }

    // ------------------------------------------------------------------ configuration

    /** The command (after the image's entrypoint), as the words after the image in `jrun run IMAGE CMD...`. */
    public JrunContainer withCommand(String... command) {
        requireNotStarted();
        options.command(List.of(command));
        return this;
    }

    /** --entrypoint: the program that replaces the image's entrypoint ("" clears it). */
    public JrunContainer withEntrypoint(String entrypoint) {
        return option("--entrypoint", entrypoint);
    }

    /** -e KEY=VALUE */
    public JrunContainer withEnv(String key, String value) {
        return option("--env", key + "=" + value);
    }

    /** -w DIR */
    public JrunContainer withWorkdir(String dir) {
        return option("--workdir", dir);
    }

    /** -u USER[:GROUP], looked up in the container's /etc/passwd. */
    public JrunContainer withUser(String user) {
        return option("--user", user);
    }

    /** -v HOST:CONTAINER, writable. */
    public JrunContainer withVolume(Path host, String containerPath) {
        return option("--volume", host.toAbsolutePath() + ":" + containerPath);
    }

    /** -v HOST:CONTAINER:ro */
    public JrunContainer withReadOnlyVolume(Path host, String containerPath) {
        return option("--volume", host.toAbsolutePath() + ":" + containerPath + ":ro");
    }

    /** --tmpfs PATH[:OPTIONS] */
    public JrunContainer withTmpfs(String pathAndOptions) {
        return option("--tmpfs", pathAndOptions);
    }

    /** --network MODE (host, none, and what this jrun's `run --help` lists). */
    public JrunContainer withNetwork(String mode) {
        return option("--network", mode);
    }

    /**
     * A port the test connects to: on a private network it is published on a free host port
     * ({@code -p PORT}); with the host's network the container's port is the host's.
     * {@link #mappedPort} says where to connect.
     */
    public JrunContainer withExposedPort(int containerPort) {
        requireNotStarted();
        options.expose(containerPort);
        return this;
    }

    /** -p HOSTPORT:CONTAINERPORT: a fixed host port (private networks only). */
    public JrunContainer withPortBinding(int hostPort, int containerPort) {
        requireNotStarted();
        options.bind(hostPort, containerPort);
        return this;
    }

    /** --read-only */
    public JrunContainer withReadOnlyRoot() {
        return withRunOption("--read-only");
    }

    /** --cap-add CAP (capabilities(7) name); an unknown one fails start() with the command line's message. */
    public JrunContainer withCapAdd(String capability) {
        return option("--cap-add", capability);
    }

    /** --cap-drop CAP */
    public JrunContainer withCapDrop(String capability) {
        return option("--cap-drop", capability);
    }

    /** --name NAME (default: a random one). */
    public JrunContainer withName(String name) {
        return option("--name", name);
    }

    /** --stop-timeout SECONDS: after stop's signal, SIGKILL this long after. */
    public JrunContainer withStopTimeout(Duration timeout) {
        return option("--stop-timeout", Long.toString(Math.max(0, timeout.toSeconds())));
    }

    /** Any other `jrun run` option, as on the command line (e.g. "--hostname", "db"). */
    public JrunContainer withRunOption(String... words) {
        requireNotStarted();
        options.add(words);
        return this;
    }

    /** Keep the container when this JVM ends and when {@link #close()} is called: it is yours to remove (jrun rm -f). */
    public JrunContainer withKeep() {
        requireNotStarted();
        options.keep();
        return this;
    }

    private JrunContainer option(String name, String value) {
        return withRunOption(name, value);
    }

    /** What follows `jrun run` for this container: the same command line runs the same container. */
    public List<String> runArguments() {
        return options.runArguments();
    }

    // ------------------------------------------------------------------ life

    /** Creates and starts the container (pulling its image if missing); returns this handle. */
    public synchronized JrunContainer start() {
        requireNotStarted();
        Jrun.call(() -> {
            RunRequest request = options.request();
            engine = jrun.engine();
            containers = new Containers(engine);
            ContainerRunner.Launched launched = new ContainerRunner(engine).runDetached(request);
            id = launched.id();
            reaper = new Reaper(engine, launched);
            return null;
        });
        return this;
    }

    /** Whether {@link #start()} has run. */
    public boolean isStarted() {
        return id != null;
    }

    /** The container's full ID. */
    public String id() {
        requireStarted();
        return id;
    }

    /** Where to connect to the container's ports from this JVM. */
    public String host() {
        return "127.0.0.1";
    }

    /** The host port on which {@code containerPort} is reachable. */
    public int mappedPort(int containerPort) {
        requireStarted();
        return options.mappedPort(containerPort, shortId());
    }

    /** Runs {@code command} in the running container and waits for it. */
    public ExecResult exec(String... command) {
        return execWithInput(new byte[0], List.of(command));
    }

    /** As {@link #exec} as another user of the container. */
    public ExecResult execAs(String user, String... command) {
        requireStarted();
        return run(new ExecRequest(id, List.of(command), List.of(), Optional.of(user), Optional.empty(), true, false,
                false), new byte[0]);
    }

    ExecResult execWithInput(byte[] stdin, List<String> command) {
        requireStarted();
        return run(new ExecRequest(id, command, List.of(), Optional.empty(), Optional.empty(), true, false, false), stdin);
    }

    /** A command's exit code, standard output as bytes (a file's content) and standard error. */
    ContainerExec.Captured execBytes(List<String> command) {
        requireStarted();
        return Jrun.call(() -> new ContainerExec(engine).capture(new ExecRequest(id, command, List.of(), Optional.empty(),
                Optional.empty(), true, false, false), new byte[0]));
    }

    private ExecResult run(ExecRequest request, byte[] stdin) {
        // The handle's engine, made at start(): a new one per exec would open the store and
        // detect the host again each time. Several threads may exec at once (Engine is shared).
        ContainerExec.Captured c = Jrun.call(() -> new ContainerExec(engine).capture(request, stdin));
        return new ExecResult(c.exitCode(), new String(c.stdout(), StandardCharsets.UTF_8),
                new String(c.stderr(), StandardCharsets.UTF_8));
    }

    /**
     * Copies a host file to {@code containerPath}, or a host directory's tree into the
     * directory {@code containerPath} (made if missing, merged if there; symlinks copied as
     * links). Processes inside the container write it (sh and cat; tar for a directory), as the
     * container's user, so its paths resolve in the container: see {@link FileCopy} for why
     * never through /proc/PID/root.
     */
    public void copyTo(Path host, String containerPath) {
        FileCopy.into(this, host, containerPath);
    }

    /** Writes {@code content} to the file {@code containerPath}, through `cat` inside the container. */
    public void copyTo(byte[] content, String containerPath) {
        FileCopy.into(this, content, containerPath);
    }

    /**
     * Copies a file of the container to the host file {@code host}, or a directory's tree into
     * the host directory {@code host} (made if missing), read by `cat` or `tar` inside it. What
     * the container sends is treated as hostile: nothing lands outside {@code host}.
     */
    public void copyFrom(String containerPath, Path host) {
        FileCopy.outOf(this, containerPath, host);
    }

    /** Its log so far (stdout and stderr in the order written), as `jrun logs`. */
    public String logs() {
        requireStarted();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
        Jrun.call(() -> {
            new ContainerLogs(containers).print(containers.find(id),
                    new ContainerLogs.Options(-1, false, Optional.empty(), false), both, both);
            return null;
        });
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Its last {@code lines} lines of log. */
    public List<String> lastLogLines(int lines) {
        List<String> all = logs().lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }

    /** Hands each line of its log (the past ones first) to {@code lines} in a thread of its own, until closed or the container ends. */
    public LogFollower followLogs(Consumer<String> lines) {
        requireStarted();
        return new LogFollower(jrun, id, lines);
    }

    /** Waits until a line of its log matches {@code pattern}; returns that line. */
    public String waitForLog(Pattern pattern, Duration timeout) {
        requireStarted();
        return Waits.forLog(this, pattern, timeout);
    }

    /** Waits until a TCP connection to {@code containerPort} (at its mapped port) succeeds. */
    public void waitForPort(int containerPort, Duration timeout) {
        Waits.forPort(this, containerPort, mappedPort(containerPort), timeout);
    }

    public boolean isRunning() {
        requireStarted();
        return Jrun.call(() -> containers.find(id).running());
    }

    /** Its exit code once it has ended; empty while it runs (or if no one recorded it). */
    public OptionalInt exitCode() {
        ContainerStatus c = status();
        if (c.running() || c.exitCode() == null) return OptionalInt.empty();
        return OptionalInt.of(c.exitCode());
    }

    /** Waits for it to end; returns its exit code. */
    public int waitFor() {
        requireStarted();
        return Jrun.call(() -> containers.waitFor(containers.find(id)));
    }

    /** As `jrun stop -t`: its stop signal, SIGKILL after {@code timeout}; returns once it has ended. */
    public void stop(Duration timeout) {
        requireStarted();
        Jrun.call(() -> {
            containers.stop(containers.find(id), (int) Math.max(0, timeout.toSeconds()));
            return null;
        });
    }

    /** Sends a signal (a name as "TERM", "SIGHUP", or a number) to its main process, as `jrun kill -s`. */
    public void kill(String signal) {
        requireStarted();
        Jrun.call(() -> {
            containers.kill(containers.find(id), Signals.parse(signal));
            return null;
        });
    }

    /**
     * Kills and removes it (a kept one stays, running or not); releases its monitor. A second
     * call does nothing.
     */
    @Override
    public synchronized void close() {
        if (id == null || closed) return;
        closed = true;
        try {
            if (!options.kept()) {
                Jrun.call(() -> {
                    ContainerStatus c;
                    try {
                        c = containers.find(id);
                    } catch (dev.jrun.store.StoreException e) {
                        // Removed already (jrun rm -f from a shell): nothing left to close.
                        if (containers.list(true).stream().noneMatch(s -> s.id().equals(id))) return null;
                        throw e;
                    }
                    containers.remove(c, true);
                    return null;
                });
            }
        } finally {
            reaper.release(options.kept());
        }
    }

    private ContainerStatus status() {
        requireStarted();
        return Jrun.call(() -> containers.find(id));
    }

    String shortId() {
        return id == null ? "(not started)" : id.substring(0, 12);
    }

    void requireStarted() {
        if (id == null) throw new IllegalStateException("the container is not started: call start() first");
        if (closed) throw new IllegalStateException("container " + shortId() + " is closed");
    }

    private void requireNotStarted() {
        if (id != null) throw new IllegalStateException("container " + shortId() + " has started: configure it before start()");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunApiException("interrupted while waiting for a container");
        }
    }

    @Override
    public String toString() {
        return "JrunContainer[" + options + (id == null ? "" : ", " + shortId()) + "]";
    }
}
