package dev.jrun.runtime;

import dev.jrun.userns.HostIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A small rootfs on disk and a host with the article's /etc/subuid, for planning tests. */
final class Fixtures {
    private Fixtures() {}

    static Path rootfs(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1000:app:/home/app:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                """);
        Files.writeString(dir.resolve("etc/group"), """
                root:x:0:
                tty:x:5:app
                staff:x:50:app,other
                app:x:1000:
                """);
        return dir;
    }

    static HostEnvironment host(Path tmp, long uid, String name, String subuid) throws IOException {
        Path subuidFile = tmp.resolve("subuid");
        Path subgidFile = tmp.resolve("subgid");
        Files.writeString(subuidFile, subuid);
        Files.writeString(subgidFile, subuid);
        Path helper = Files.writeString(tmp.resolve("newuidmap"), "not setuid");
        // This machine's containers.conf stays out of unit tests: a profile that does not exist
        // means jrun's carried copy of podman's.
        Path containersConf = Files.writeString(tmp.resolve("containers.conf"),
                "[containers]\nseccomp_profile = \"" + tmp.resolve("absent-seccomp.json") + "\"\n");
        return new HostEnvironment(new HostIdentity(uid, uid, name), subuidFile, subgidFile, Optional.of(helper),
                Optional.of(helper), Map.of("TERM", "xterm-256color", "HOST_ONLY", "from-host",
                        "CONTAINERS_CONF", containersConf.toString()),
                "127.0.0.1 localhost\n", "nameserver 192.0.2.53\n", 40);
    }

    static RunSpec spec(Path rootfs, List<String> command) {
        return new RunSpec(new RootFs.Directory(rootfs), ContainerDefaults.NONE, command, Optional.empty(),
                List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.of("box"), false, List.of(),
                Network.HOST, false, false, Optional.empty(), 10);
    }
}
