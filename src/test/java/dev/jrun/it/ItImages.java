package dev.jrun.it;

import dev.jrun.testing.TestImages;
import dev.jrun.testing.TestLayer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The layers the image tests build on: busybox, then /etc and more applet links. */
final class ItImages {
    private ItImages() {}

    private static TestLayer busybox;
    private static TestLayer etc;

    static final List<String> APPLETS = List.of("grep", "readlink", "pwd", "wc", "sha256sum", "find", "ln", "chmod",
            "head", "sort", "cp", "mv", "kill", "tr", "test", "printf", "xargs", "seq", "dd");

    static synchronized TestLayer busybox() {
        if (busybox == null) busybox = TestLayer.busybox();
        return busybox;
    }

    /** /etc/passwd and /etc/group (root, app 1234 in staff, user 1000, nobody) and applet links. */
    static synchronized TestLayer etc() {
        if (etc == null) {
            TestLayer.Builder b = TestLayer.builder().dir("bin").dir("etc")
                    .file("etc/passwd", """
                            root:x:0:0:root:/root:/bin/sh
                            app:x:1234:1234:app:/home/app:/bin/sh
                            user:x:1000:1000:user:/home/user:/bin/sh
                            nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
                            """.getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
                    .file("etc/group", """
                            root:x:0:
                            g42:x:42:
                            staff:x:50:app
                            user:x:1000:
                            app:x:1234:
                            nogroup:x:65534:
                            """.getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
                    .dir("root", 0700, 0, 0).dir("home").dir("home/app", 0755, 1234, 1234);
            for (String applet : APPLETS) b.symlink("bin/" + applet, "busybox");
            etc = b.build();
        }
        return etc;
    }

    /** busybox + etc, then {@code more} layers. */
    static TestImages.ImageBuilder base(TestLayer... more) {
        TestImages.ImageBuilder b = TestImages.builder().layer(busybox()).layer(etc());
        for (TestLayer l : more) b.layer(l);
        return b;
    }

    static TestLayer marker(String path, String content) {
        String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : null;
        TestLayer.Builder b = TestLayer.builder();
        if (dir != null) b.dir(dir);
        return b.file(path, content).build();
    }
}
