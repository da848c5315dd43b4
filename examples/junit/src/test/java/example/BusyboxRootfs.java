package example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A root filesystem made from the host's static busybox (apt-get install busybox-static): no registry needed. */
final class BusyboxRootfs {
    private static Path dir;
    private static Path withoutTar;

    private BusyboxRootfs() {}

    static synchronized Path get() {
        if (dir == null) dir = build(List.of());
        return dir;
    }

    /**
     * An image that has no tar: busybox's applets without tar and without its sh (whose
     * "standalone" mode would find the tar applet anyway), and the host's dash as /bin/sh.
     */
    static synchronized Path withoutTar() {
        if (withoutTar == null) {
            Path root = build(List.of("tar", "sh"));
            try {
                Path dash = Path.of("/bin/dash").toRealPath();
                Files.copy(dash, root.resolve("bin/sh"), StandardCopyOption.COPY_ATTRIBUTES);
                // Its libraries where ldd finds them (libc and the dynamic loader).
                Process ldd = new ProcessBuilder("ldd", dash.toString()).start();
                for (String line : new String(ldd.getInputStream().readAllBytes()).split("\n")) {
                    for (String word : line.strip().split("\\s+")) {
                        if (!word.startsWith("/")) continue;
                        Path into = root.resolve(word.substring(1));
                        Files.createDirectories(into.getParent());
                        // With its mode: the kernel opens the loader to execute it (execve(2)).
                        if (!Files.exists(into)) Files.copy(Path.of(word), into, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("put dash into a root filesystem: " + e.getMessage(), e);
            }
            withoutTar = root;
        }
        return withoutTar;
    }

    private static Path build(List<String> leftOut) {
        try {
            Path busybox = Path.of("/bin/busybox");
            if (!Files.isExecutable(busybox)) throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
            Path root = Files.createTempDirectory("jrun-example-rootfs-");
            // createTempDirectory makes it 0700: the container's other users could not enter /.
            Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "root", "run", "var/tmp", "home/user", "www")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.copy(busybox, root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Process list = new ProcessBuilder("/bin/busybox", "--list").start();
            for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
                if (!applet.isBlank() && !applet.equals("busybox") && !leftOut.contains(applet.strip())) {
                    Files.createSymbolicLink(root.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
                }
            }
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nuser:x:1000:\n");
            for (String f : List.of("hostname", "hosts", "resolv.conf")) Files.writeString(root.resolve("etc").resolve(f), "");
            Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));   // /tmp for every user
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            return root;
        } catch (IOException e) {
            throw new IllegalStateException("build a busybox root filesystem: " + e.getMessage(), e);
        }
    }

    static void delete(Path p) {
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }

    /** A port nobody listens on now: the containers share the host's network here. */
    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
