package dev.jrun.runtime.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainersConfTest {
    @TempDir Path tmp;

    @Test
    void theUsersFileAndItsDropInsGoOverEachOtherInOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("containers/containers.conf.d"));
        Files.writeString(tmp.resolve("containers/containers.conf"), """
                [containers]
                netns = "none"
                [engine]
                network_cmd_options = ["mtu=1500"]
                """);
        Files.writeString(dir.resolve("10-net.conf"), """
                # a drop-in that changes one key
                [network]
                default_rootless_network_cmd = "slirp4netns"
                """);
        // Only the keys jrun reads count; this one has none and is not even valid TOML.
        Files.writeString(dir.resolve("20-other.conf"), "[engine]\nruntime = \"runc\"\n#netns = \"host\"\n[[[");
        ContainersConf c = ContainersConf.load(Map.of("XDG_CONFIG_HOME", tmp.toString(), "HOME", "/nonexistent"));
        // /usr/share and /etc may hold this machine's own files; the user's come after them.
        assertEquals(Optional.of("none"), c.netns());
        assertEquals(Optional.of("slirp4netns"), c.defaultRootlessNetworkCmd());
        assertEquals(List.of("mtu=1500"), c.networkCmdOptions());
    }

    @Test
    void containersConfAloneReplacesEveryOtherFileAndABrokenOneIsAnError() throws Exception {
        Path only = Files.writeString(tmp.resolve("only.conf"), "[containers]\nnetns = \"host\"\n");
        assertEquals(Optional.of("host"), ContainersConf.load(Map.of("CONTAINERS_CONF", only.toString())).netns());
        Path broken = Files.writeString(tmp.resolve("broken.conf"), "[containers]\nnetns = \n");
        JrunException e = assertThrows(JrunException.class,
                () -> ContainersConf.load(Map.of("CONTAINERS_CONF", broken.toString())));
        assertTrue(e.getMessage().contains("broken.conf"), e.getMessage());
        Path wrongType = Files.writeString(tmp.resolve("wrong.conf"), "[containers]\nnetns = 3\n");
        assertThrows(JrunException.class, () -> ContainersConf.load(Map.of("CONTAINERS_CONF", wrongType.toString())));
    }
}
