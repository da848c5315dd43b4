package dev.jrun.sys;

/**
 * The one place that picks the real {@link Syscalls}: Panama ({@code java.lang.foreign}, final
 * since JDK 22; no JNA to load, it starts faster) where the JVM has it, else JNA.
 * {@code JRUN_SYSCALLS=jna} or {@code =panama} (or {@code -Djrun.syscalls=}) chooses one, for
 * tests of both backends and for comparing them.
 */
public final class SyscallsFactory {
    /** Compiled for JDK 22+ from src/main/java22, when the build had a JDK 22+ (tools/compile-java22). */
    private static final String PANAMA_CLASS = "dev.jrun.sys.PanamaSyscalls";

    private SyscallsFactory() {}

    /** The backend this JVM uses: "panama" or "jna". */
    public static String backend() {
        String chosen = System.getProperty("jrun.syscalls", System.getenv("JRUN_SYSCALLS"));
        if (chosen != null && !chosen.isEmpty()) return chosen;
        return Runtime.version().feature() >= 22 && panamaPresent() ? "panama" : "jna";
    }

    /** A line for {@code jrun --version}: which backend, and why. */
    public static String describe() {
        return switch (backend()) {
            case "panama" -> "syscalls: panama (java.lang.foreign)";
            case "jna" -> "syscalls: jna" + (Runtime.version().feature() >= 22 ? "" : " (Panama needs JDK 22+)");
            default -> "syscalls: " + backend() + " (unknown: expected jna or panama)";
        };
    }

    private static Thread preloading;
    private static volatile Syscalls preloaded;
    private static volatile RuntimeException preloadFailure;

    /**
     * Loads the backend and its native library on another thread, while the command line is
     * parsed on this one (tens of milliseconds each; the machine has more than one core).
     * {@link #create} then hands out that instance: both backends are stateless.
     */
    public static synchronized void preload() {
        if (preloading != null) return;
        preloading = new Thread(() -> {
            try {
                Syscalls sys = load();
                sys.warmUp();
                preloaded = sys;
            } catch (RuntimeException | LinkageError e) {
                preloadFailure = e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
            }
        }, "jrun-native-load");
        preloading.setDaemon(true);
        preloading.start();
    }

    /** The real kernel, through the chosen backend. */
    public static Syscalls create() {
        Thread t;
        synchronized (SyscallsFactory.class) {
            t = preloading;
        }
        if (t != null) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (preloadFailure != null) throw preloadFailure;
            if (preloaded != null) return preloaded;
        }
        return load();
    }

    private static Syscalls load() {
        String backend = backend();
        switch (backend) {
            case "jna":
                return new JnaSyscalls();
            case "panama":
                if (Runtime.version().feature() < 22 || !panamaPresent()) {
                    throw new IllegalStateException("JRUN_SYSCALLS=panama needs a JDK 22 or later and a jrun jar built "
                            + "with one (this is Java " + Runtime.version() + "); unset JRUN_SYSCALLS or set JAVA_HOME");
                }
                try {
                    return (Syscalls) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("load the Panama syscall backend: " + e, e);
                }
            default:
                throw new IllegalStateException("JRUN_SYSCALLS=" + backend + ": expected jna or panama");
        }
    }

    /** Whether the jar holds the Panama classes (call only on JDK 22+: they are Java 22 class files). */
    private static boolean panamaPresent() {
        try {
            Class.forName(PANAMA_CLASS, false, SyscallsFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
