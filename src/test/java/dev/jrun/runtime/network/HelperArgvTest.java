package dev.jrun.runtime.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The helpers' command lines: what keeps the host's loopback closed, and how the helper is tied to us. */
class HelperArgvTest {
    @Test
    void pastaClosesEveryAutomaticForwardAndTheGatewayMapping() throws Exception {
        NetworkMode.Pasta mode = new NetworkMode.Pasta(Path.of("/usr/bin/pasta"), List.of());
        assertEquals(List.of("/usr/bin/pasta", "--config-net", "--foreground", "--quiet",
                "-t", "127.0.0.1/8080-8080:80-80", "-u", "none", "-T", "none", "-U", "none", "--no-map-gw",
                "--pid", "/dev/fd/3"),
                PastaHelper.argv(mode, List.of(new PortMapping(Optional.of("127.0.0.1"), 8080, 80, 1, "tcp")),
                        false));
        // As root pasta would become nobody, who cannot join root's container: it stays root.
        assertEquals(List.of("--runas", "0:0"), PastaHelper.argv(mode, List.of(), true).subList(4, 6));
    }

    @Test
    void pastaOptionsOfTheUserReplaceTheDefaultsTheyName() throws Exception {
        NetworkMode.Pasta mode = (NetworkMode.Pasta) NetworkMode.parse("pasta:-T,auto,--map-gw,-m,1500");
        assertEquals(List.of("/usr/bin/pasta", "--config-net", "--foreground", "--quiet", "-T", "auto", "-m", "1500",
                "-t", "none", "-u", "none", "-U", "none", "--pid", "/dev/fd/3"),
                PastaHelper.argv(new NetworkMode.Pasta(Path.of("/usr/bin/pasta"), mode.options()), List.of(), false));
    }

    @Test
    void slirp4netnsKeepsTheHostsLoopbackClosedUnlessAllowed() throws Exception {
        NetworkMode.Slirp4netns closed = new NetworkMode.Slirp4netns(Path.of("/usr/bin/slirp4netns"),
                SlirpOptions.DEFAULTS, List.of());
        assertEquals(List.of("/usr/bin/slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                "--enable-sandbox", "--enable-seccomp", "--exit-fd=3", "--ready-fd=4", "99", "tap0"),
                Slirp4netnsHelper.argv(closed, 99, null, true));
        NetworkMode.Slirp4netns open = new NetworkMode.Slirp4netns(Path.of("/usr/bin/slirp4netns"),
                SlirpOptions.parse(List.of("allow_host_loopback=true", "cidr=10.9.0.0/24"), "test"), List.of());
        assertEquals(List.of("/usr/bin/slirp4netns", "--configure", "--mtu=65520", "--cidr=10.9.0.0/24",
                "--exit-fd=3", "--ready-fd=4", "--api-socket=/run/x/api.sock", "99", "tap0"),
                Slirp4netnsHelper.argv(open, 99, Path.of("/run/x/api.sock"), false));
    }
}
