package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jrun.testing.Environment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands on the test host, run as root (CI runs as root; .ci/provision-debian made the test users). */
public final class Host {
    private Host() {}

    public record Result(int exit, String out, String err) {
        public String describe() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Integration tests need root to run jrun as the test users (runuser) and to set them up. */
    public static void requireRoot() {
        Environment.require("root".equals(System.getProperty("user.name")),
                "integration tests must run as root: they run jrun as the unprivileged test users (runuser)");
    }

    /** Skips or fails by {@link Environment}'s one rule unless {@code condition} holds. */
    public static void require(boolean condition, String why) {
        Environment.require(condition, why);
    }

    public static Result run(List<String> command) {
        return run(command, null, 120);
    }

    public static Result run(List<String> command, java.io.File dir, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (dir != null) pb.directory(dir);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            java.io.File out = java.io.File.createTempFile("jrun-it-out", ".txt");
            java.io.File err = java.io.File.createTempFile("jrun-it-err", ".txt");
            try {
                pb.redirectOutput(out).redirectError(err);
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    fail("timed out after " + timeoutSeconds + "s: " + command);
                }
                return new Result(p.exitValue(), read(out), read(err));
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            throw new AssertionError("run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static String check(String... command) {
        Result r = run(List.of(command));
        if (r.exit != 0) fail(String.join(" ", command) + " failed: " + r.describe());
        return r.out;
    }

    static String read(java.io.File f) throws IOException {
        return java.nio.file.Files.readString(f.toPath(), StandardCharsets.UTF_8);
    }

    public static List<String> list(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
