package dev.jrun.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * How {@link PanamaSyscalls} reaches C: each function jrun calls is one {@link Fn} constant
 * (name, signature, whether errno is wanted), whose downcall handle is made on first use.
 * Making one costs milliseconds per distinct signature (the linker spins classes that no
 * class-data archive keeps), so the kernel calls all go through one: glibc's
 * {@code syscall(2)} with the call's number ({@link Nr}) and six long arguments, as the kernel
 * takes them ({@link #kernel}). Functions that report errno take a capture segment first
 * ({@link Call}).
 */
final class PanamaCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private PanamaCalls() {}

    /** Where a function lives. */
    enum Library { LIBC, JRUN }

    /** The C functions jrun calls, with their signatures. */
    enum Fn {
        // long syscall(long number, ...): every kernel call, one signature (see the class comment).
        SYSCALL(Library.LIBC, "syscall", true, 1,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        ISATTY(Library.LIBC, "isatty", false, -1, JAVA_INT, JAVA_INT),
        TCGETATTR(Library.LIBC, "tcgetattr", false, -1, JAVA_INT, JAVA_INT, ADDRESS),
        TCSETATTR(Library.LIBC, "tcsetattr", false, -1, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
        CFMAKERAW(Library.LIBC, "cfmakeraw", false, -1, null, ADDRESS),
        STRERROR(Library.LIBC, "strerror", false, -1, ADDRESS, JAVA_INT),
        JRUN_SPAWN_BLOB(Library.JRUN, "jrun_spawn_blob", false, -1,
                JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
        JRUN_EXEC(Library.JRUN, "jrun_exec", false, -1, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT),
        JRUN_PIDFD_OPEN(Library.JRUN, "jrun_pidfd_open", false, -1, JAVA_INT, JAVA_INT),
        JRUN_PIDFD_SEND_SIGNAL(Library.JRUN, "jrun_pidfd_send_signal", false, -1, JAVA_INT, JAVA_INT, JAVA_INT),
        JRUN_FORWARD_SIGNALS(Library.JRUN, "jrun_forward_signals", false, -1,
                JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
        JRUN_OP_SIZE(Library.JRUN, "jrun_op_size", false, -1, JAVA_INT),
        JRUN_RECV_FD(Library.JRUN, "jrun_recv_fd", false, -1, JAVA_INT, JAVA_INT);

        final Library library;
        final String symbol;
        final boolean errno;
        final int firstVariadic;
        final FunctionDescriptor descriptor;

        Fn(Library library, String symbol, boolean errno, int firstVariadic, MemoryLayout result, MemoryLayout... args) {
            this.library = library;
            this.symbol = symbol;
            this.errno = errno;
            this.firstVariadic = firstVariadic;
            this.descriptor = result == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(result, args);
        }
    }

    private static final MethodHandle[] HANDLES = new MethodHandle[Fn.values().length];

    /** The downcall handle of {@code fn}, made on first use (a benign race: handles are immutable). */
    static MethodHandle handle(Fn fn) {
        MethodHandle h = HANDLES[fn.ordinal()];
        if (h == null) {
            SymbolLookup lookup = fn.library == Library.LIBC ? LINKER.defaultLookup() : LibJrun.LOOKUP;
            MemorySegment address = lookup.find(fn.symbol).orElseThrow(() ->
                    new UnsatisfiedLinkError("no symbol " + fn.symbol + " in " + fn.library));
            List<Linker.Option> options = new java.util.ArrayList<>();
            if (fn.errno) options.add(Linker.Option.captureCallState("errno"));
            if (fn.firstVariadic >= 0) options.add(Linker.Option.firstVariadicArg(fn.firstVariadic));
            h = LINKER.downcallHandle(address, fn.descriptor, options.toArray(Linker.Option[]::new));
            HANDLES[fn.ordinal()] = h;
        }
        return h;
    }

    /**
     * What every foreground launch calls, made ahead on the preloading thread: a downcall handle
     * costs milliseconds to make (it spins classes), and the launch waits for this list. Not
     * strerror (only errors need it) nor pidfd_open (exec, stop and kill, not run).
     */
    private static final List<Fn> LAUNCH_PATH = List.of(Fn.SYSCALL, Fn.JRUN_OP_SIZE, Fn.JRUN_SPAWN_BLOB,
            Fn.JRUN_FORWARD_SIGNALS, Fn.JRUN_EXEC);

    /** Makes the launch path's handles ahead (see {@link #LAUNCH_PATH}). */
    static void warmUp() {
        for (Fn fn : LAUNCH_PATH) handle(fn);
    }

    /** libjrun.so, from the launcher's directory (-Djrun.native.dir) or unpacked from the jar. */
    private static final class LibJrun {
        static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(path(), Arena.global());

        private static Path path() {
            for (String property : List.of("jrun.native.dir", "jna.boot.library.path")) {
                String dir = System.getProperty(property);
                if (dir != null && Files.isRegularFile(Path.of(dir, "libjrun.so"))) return Path.of(dir, "libjrun.so");
            }
            String platform = "aarch64".equals(System.getProperty("os.arch")) ? "linux-aarch64" : "linux-x86-64";
            String resource = "/" + platform + "/libjrun.so";
            try (InputStream in = PanamaCalls.class.getResourceAsStream(resource)) {
                if (in == null) throw new UnsatisfiedLinkError("libjrun.so is not in the jar (" + resource + ")");
                Path copy = Files.createTempFile("libjrun", ".so");
                copy.toFile().deleteOnExit();
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                return copy;
            } catch (IOException e) {
                throw new UnsatisfiedLinkError("unpack libjrun.so: " + e);
            }
        }
    }

    /** One call's confined memory and, for functions that report it, its errno. */
    static final class Call implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment capture = arena.allocate(CAPTURE);

        int errno() {
            return (int) ERRNO.get(capture, 0L);
        }

        MemorySegment string(String s) {
            return arena.allocateFrom(s);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** Kernel call numbers (asm/unistd.h: x86_64's own table, aarch64's asm-generic one). */
    static final class Nr {
        private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
        static final long READ = AARCH64 ? 63 : 0;
        static final long WRITE = AARCH64 ? 64 : 1;
        static final long CLOSE = AARCH64 ? 57 : 3;
        static final long IOCTL = AARCH64 ? 29 : 16;
        static final long SOCKETPAIR = AARCH64 ? 199 : 53;
        static final long WAIT4 = AARCH64 ? 260 : 61;
        static final long KILL = AARCH64 ? 129 : 62;
        static final long FCNTL = AARCH64 ? 25 : 72;
        static final long GETUID = AARCH64 ? 174 : 102;
        static final long GETGID = AARCH64 ? 176 : 104;
        static final long LGETXATTR = AARCH64 ? 9 : 192;
        static final long OPENAT = AARCH64 ? 56 : 257;
        static final long PIPE2 = AARCH64 ? 59 : 293;
    }

    /** syscall(2): the result, or -1 with the errno in {@code c}. */
    static long kernel(Call c, long number, long a0, long a1, long a2, long a3) throws Throwable {
        return (long) handle(Fn.SYSCALL).invokeExact(c.capture, number, a0, a1, a2, a3, 0L, 0L);
    }

    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
