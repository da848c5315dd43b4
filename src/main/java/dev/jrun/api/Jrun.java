package dev.jrun.api;

import dev.jrun.container.Engine;
import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where a library user starts: containers and images of one store, run by this JVM's user
 * with no daemon and no root. The store is the command line's ({@code jrun ps} lists these
 * containers), unless {@link #withRoot} names another.
 *
 * <pre>{@code
 * try (JrunContainer web = Jrun.local().container("docker.io/library/busybox")
 *         .withCommand("httpd", "-f", "-p", "8080").withExposedPort(8080).start()) {
 *     web.waitForPort(8080, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class Jrun {
    private static final Jrun LOCAL = new Jrun(null);

    private final Path root;
    private final Consumer<String> warnings;

    private Jrun(Path root) {
        this(root, message -> System.err.println("jrun: warning: " + message));
    }

    private Jrun(Path root, Consumer<String> warnings) {
        this.root = root;
        this.warnings = warnings;
    }

    /** The user's own store: --root, else $JRUN_ROOT, else $XDG_DATA_HOME/jrun, else ~/.local/share/jrun. */
    public static Jrun local() {
        return LOCAL;
    }

    /** Another store, as `jrun --root DIR`. */
    public static Jrun withRoot(Path root) {
        return new Jrun(root);
    }

    /** Where warnings go (default: this JVM's stderr, "jrun: warning: ..."). */
    public Jrun withWarnings(Consumer<String> warnings) {
        return new Jrun(root, warnings);
    }

    /** A container of {@code image} (pulled if missing), to configure and then {@link JrunContainer#start}. */
    public JrunContainer container(String image) {
        return new JrunContainer(this, image, null);
    }

    /** A container whose root filesystem is this directory (no image), as `jrun run --rootfs DIR`. */
    public JrunContainer containerFromRootfs(Path rootfs) {
        return new JrunContainer(this, null, rootfs.toAbsolutePath().normalize());
    }

    /**
     * The system-call backend this JVM uses for the library, as `jrun --version` names it:
     * "panama" (java.lang.foreign) on a JDK 22+ with a jar built with one, else "jna";
     * JRUN_SYSCALLS or -Djrun.syscalls chooses.
     */
    public static String syscalls() {
        return dev.jrun.sys.SyscallsFactory.backend();
    }

    public Images images() {
        return new Images(this);
    }

    /** A new engine (store, planner) for one operation or one container handle (whose threads share it). */
    Engine engine(dev.jrun.image.PullProgress progress) {
        return new Engine(root, true, warnings, progress);
    }

    Engine engine() {
        return engine(null);
    }

    /** Runs {@code body}, turning jrun's checked failures into the API's typed ones. */
    static <T> T call(Action<T> body) {
        try {
            return body.run();
        } catch (JrunException e) {
            throw JrunApiException.of(e);
        }
    }

    @FunctionalInterface
    interface Action<T> {
        T run() throws JrunException;
    }
}
