import dev.jrun.api.ExecResult;
import dev.jrun.api.Jrun;
import dev.jrun.api.JrunContainer;
import java.nio.file.Path;
import java.util.Arrays;

/** The library's exec, timed in one JVM: `true` N times in one running container (bench/library-exec runs it). */
public class LibraryExec {
    public static void main(String[] a) {
        Path rootfs = Path.of(a[0]);
        int n = Integer.parseInt(a[1]);
        try (JrunContainer c = Jrun.local().containerFromRootfs(rootfs).withNetwork("none").withCommand("sleep", "600").start()) {
            long first = System.nanoTime();
            c.exec("true");
            System.out.printf("first exec: %.1f ms%n", (System.nanoTime() - first) / 1e6);
            for (int i = 0; i < 5; i++) c.exec("true");   // warm-up: class loading and the JIT
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                ExecResult r = c.exec("true");
                t[i] = System.nanoTime() - s;
                if (r.exitCode() != 0) throw new AssertionError("exec true: " + r);
            }
            Arrays.sort(t);
            System.out.printf("syscalls=%s java=%s n=%d median=%.1f ms p10=%.1f p90=%.1f min=%.1f%n", Jrun.syscalls(),
                    Runtime.version().feature(), n, t[n / 2] / 1e6, t[n / 10] / 1e6, t[n * 9 / 10] / 1e6, t[0] / 1e6);
        }
    }
}
