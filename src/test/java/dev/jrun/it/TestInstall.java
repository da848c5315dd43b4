package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The built jrun (launcher script, jar, libraries) copied where every test user can read it,
 * and a busybox root filesystem owned by root that the users cannot write: the CI checkout may
 * sit in a directory other users cannot enter.
 */
public final class TestInstall {
    private static Path dir;
    private static Path rootfs;

    private TestInstall() {}

    public static synchronized Path dir() {
        if (dir == null) {
            Host.requireRoot();
            Path checkout = Path.of(System.getenv().getOrDefault("JRUN_HOME", System.getProperty("user.dir")));
            Path jar = checkout.resolve("target/jrun.jar");
            if (!Files.isRegularFile(jar)) fail("target/jrun.jar is missing: integration tests run after 'mvn package'");
            try {
                dir = Files.createTempDirectory("jrun-it-");
                Host.check("cp", "-r", checkout.resolve("jrun").toString(), dir.toString());
                Files.createDirectories(dir.resolve("target"));
                for (String part : List.of("jrun.jar", "lib", "native")) {
                    Host.check("cp", "-r", checkout.resolve("target").resolve(part).toString(),
                            dir.resolve("target").toString());
                }
                Host.check("chmod", "-R", "a+rX", dir.toString());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Host.run(List.of("rm", "-rf", dir.toString()))));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return dir;
    }

    /** /bin/busybox from Debian's busybox-static, with its applets, a passwd and a group file. */
    public static synchronized Path rootfs() {
        if (rootfs == null) {
            Path busybox = Path.of("/bin/busybox");
            Host.require(Files.isExecutable(busybox) && Host.run(List.of("/bin/busybox", "--list")).exit() == 0,
                    "busybox is missing: apt-get install busybox-static (.ci/provision-debian installs it)");
            try {
                rootfs = Files.createTempDirectory("jrun-it-rootfs-");
                for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "root", "data", "home/user", "run",
                        "var/tmp")) {
                    Files.createDirectories(rootfs.resolve(d));
                }
                Files.copy(busybox, rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
                for (String applet : Host.check("/bin/busybox", "--list").split("\n")) {
                    if (!applet.isBlank() && !applet.equals("busybox")) {
                        Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
                    }
                }
                Files.writeString(rootfs.resolve("etc/passwd"), """
                        root:x:0:0:root:/root:/bin/sh
                        user:x:1000:1000:user:/home/user:/bin/sh
                        nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
                        """);
                Files.writeString(rootfs.resolve("etc/group"), """
                        root:x:0:
                        tty:x:5:
                        staff:x:50:user
                        user:x:1000:
                        nogroup:x:65534:
                        """);
                for (String f : List.of("hostname", "hosts", "resolv.conf")) Files.writeString(rootfs.resolve("etc/" + f), "");
                Files.writeString(rootfs.resolve("bin/not-executable"), "#!/bin/sh\necho hi\n");
                Host.check("chmod", "1777", rootfs.resolve("tmp").toString());
                Host.check("chmod", "-R", "go-w,a+rX", rootfs.toString());
                Host.check("chmod", "1777", rootfs.resolve("tmp").toString());
                Host.check("chmod", "0644", rootfs.resolve("bin/not-executable").toString());
                Path root = rootfs;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Host.run(List.of("rm", "-rf", root.toString()))));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return rootfs;
    }

    /** Runs ./jrun ARGS as {@code user} with a clean login-like environment. */
    public static Host.Result jrun(String user, String... args) {
        return Host.run(command(user, args), dir().toFile(), 120);
    }

    /** As {@link #jrun(String, String...)} with extra environment variables (JRUN_ROOT, XDG_CONFIG_HOME, ...). */
    public static Host.Result jrun(String user, java.util.Map<String, String> env, String... args) {
        return Host.run(command(user, env, args), dir().toFile(), 300);
    }

    public static List<String> command(String user, String... args) {
        return command(user, java.util.Map.of(), args);
    }

    public static List<String> command(String user, java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        if (!user.equals("root")) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        String home = user.equals("root") ? "/root" : "/home/" + user;
        cmd.addAll(List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + home,
                "USER=" + user, "LOGNAME=" + user, "LANG=C.UTF-8"));
        cmd.add("JAVA_HOME=" + javaHome());
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(dir().resolve("jrun").toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The JVM the tests run jrun on: {@code -Djrun.it.java.home=DIR} (CI runs the suite again on
     * a JDK 25, which takes the Panama backend), else the JVM running the tests.
     */
    public static String javaHome() {
        String chosen = System.getProperty("jrun.it.java.home", "");
        return chosen.isBlank() ? System.getProperty("java.home") : chosen;
    }

    /** The processes {@code user} still has: none may survive a jrun that has exited. */
    public static List<String> processesOf(String user) {
        Host.Result r = Host.run(List.of("ps", "-u", user, "-o", "pid=,args="));
        return Stream.of(r.out().split("\n")).filter(l -> !l.isBlank()).toList();
    }
}
