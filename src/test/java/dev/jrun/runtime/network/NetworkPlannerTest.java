package dev.jrun.runtime.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkPlannerTest {
    final List<String> warnings = new ArrayList<>();
    final List<String> claimed = new ArrayList<>();
    Set<Integer> busy = Set.of();
    int nextFree = 40000;

    final HostPorts ports = (mapping, port) -> {
        if (busy.contains(port)) throw new JrunException("host port " + port + "/" + mapping.protocol() + " is already in use");
        int p = port == 0 ? nextFree++ : port;
        claimed.add(p + "/" + mapping.protocol());
        return p;
    };

    private NetworkPlanner planner(ContainersConf conf, String... installed) {
        List<String> have = List.of(installed);
        return new NetworkPlanner(conf, name -> have.contains(name) ? Optional.of(Path.of("/usr/bin", name))
                : Optional.empty(), ports, Optional.of("192.0.2.2"), warnings::add);
    }

    private static ContainersConf conf(String toml) throws Exception {
        return ContainersConf.EMPTY.over(new TomlMapper().readTree(toml), Path.of("test.conf"));
    }

    private NetworkPlanner.Decision plan(NetworkPlanner planner, NetworkMode mode, List<PortMapping> ports)
            throws JrunException {
        return planner.plan(mode, ports, false, List.of(), DnsSettings.NONE, List.of(), "box",
                "127.0.0.1 localhost\n", "search corp.example\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n");
    }

    @Test
    void theDefaultIsPastaThenSlirp4netnsThenTheHostWithOneWarning() throws Exception {
        assertEquals(new NetworkMode.Pasta(Path.of("/usr/bin/pasta"), List.of()),
                planner(ContainersConf.EMPTY, "pasta", "slirp4netns").resolve(new NetworkMode.Default()));
        // run -d too, as podman: the container's monitor owns pasta.
        assertEquals(new NetworkMode.Pasta(Path.of("/usr/bin/pasta"), List.of()),
                planner(ContainersConf.EMPTY, "pasta", "slirp4netns").resolve(new NetworkMode.Default(true)));
        NetworkMode slirp = planner(ContainersConf.EMPTY, "slirp4netns").resolve(new NetworkMode.Default());
        assertEquals(Path.of("/usr/bin/slirp4netns"), ((NetworkMode.Slirp4netns) slirp).binary());
        assertTrue(warnings.isEmpty());
        assertEquals(new NetworkMode.Host(), planner(ContainersConf.EMPTY).resolve(new NetworkMode.Default()));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("apt-get install passt"), warnings.get(0));
    }

    @Test
    void containersConfChoosesTheHelperAndItsOptions() throws Exception {
        ContainersConf c = conf("""
                [network]
                default_rootless_network_cmd = "slirp4netns"
                [engine]
                network_cmd_options = ["allow_host_loopback=true", "mtu=1500"]
                """);
        NetworkMode.Slirp4netns s = (NetworkMode.Slirp4netns) planner(c, "pasta", "slirp4netns")
                .resolve(new NetworkMode.Default());
        assertTrue(s.options().allowHostLoopback());
        assertEquals(1500, s.options().mtu());
        // The command line's options go over containers.conf's, one by one.
        NetworkMode.Slirp4netns given = (NetworkMode.Slirp4netns) planner(c, "slirp4netns")
                .resolve(NetworkMode.parse("slirp4netns:mtu=9000"));
        assertEquals(9000, given.options().mtu());
        assertTrue(given.options().allowHostLoopback());
        assertEquals(new NetworkMode.None(), planner(conf("[containers]\nnetns = \"none\"\n"), "pasta")
                .resolve(new NetworkMode.Default()));
        JrunException bad = assertThrows(JrunException.class, () -> planner(conf("[network]\n"
                + "default_rootless_network_cmd = \"vpnkit\"\n"), "pasta").resolve(new NetworkMode.Default()));
        assertTrue(bad.getMessage().contains("expected pasta or slirp4netns"));
    }

    @Test
    void anExplicitHelperThatIsMissingSaysWhatToInstall() {
        JrunException e = assertThrows(JrunException.class,
                () -> planner(ContainersConf.EMPTY, "slirp4netns").resolve(NetworkMode.parse("pasta")));
        assertTrue(e.getMessage().contains("apt-get install passt"), e.getMessage());
        // container: and ns: are opened by the caller first; containers.conf's netns cannot name them.
        e = assertThrows(JrunException.class, () -> planner(conf("[containers]\nnetns = \"container:web\"\n"))
                .resolve(new NetworkMode.Default()));
        assertTrue(e.getMessage().contains("give it on the command line"), e.getMessage());
    }

    @Test
    void aContainerThatSharesAnothersNetworkGetsItsNameServiceAndNoPortsOrDnsOfItsOwn() throws Exception {
        NetworkMode.Joined joined = new NetworkMode.Joined("container:" + "ab".repeat(32), true,
                Optional.of("10.0.2.100\tweb\n"), Optional.of("nameserver 10.0.2.3\n"));
        NetworkPlanner p = planner(ContainersConf.EMPTY, "pasta");
        NetworkPlanner.Decision d = plan(p, joined, List.of(PortMapping.parse("8080:80")));
        assertEquals("10.0.2.100\tweb\n127.0.0.1\tbox\n", d.hosts());
        assertEquals("nameserver 10.0.2.3\n", d.resolvConf());
        assertEquals(List.of(), d.ports());
        assertTrue(claimed.isEmpty(), claimed.toString());
        assertTrue(warnings.get(0).contains("Port mappings have been discarded as the network mode container"),
                warnings.toString());
        JrunException dns = assertThrows(JrunException.class, () -> p.plan(joined, List.of(), false, List.of(),
                DnsSettings.of(List.of("1.1.1.1"), List.of(), List.of()), List.of(), "box", "", ""));
        assertTrue(dns.getMessage().startsWith("conflicting options: --dns") && dns.getMessage()
                .contains("container:abababababab:"), dns.getMessage());
        JrunException hosts = assertThrows(JrunException.class, () -> p.plan(joined, List.of(), false, List.of(),
                DnsSettings.NONE, List.of(HostEntry.parse("db:10.0.0.5")), "box", "", ""));
        assertTrue(hosts.getMessage().contains("cannot set extra host entries"), hosts.getMessage());
        assertEquals("container:" + "ab".repeat(32), joined.spelling());
        assertTrue(joined.ownSysfs() && !joined.newNamespace());
    }

    @Test
    void portsAreClaimedBeforeTheContainerStartsAndABusyOneIsAnError() throws Exception {
        NetworkPlanner p = planner(ContainersConf.EMPTY, "pasta");
        NetworkPlanner.Decision d = plan(p, new NetworkMode.Default(),
                List.of(PortMapping.parse("8080:80"), PortMapping.parse("53/udp")));
        assertEquals(List.of(new PortMapping(Optional.empty(), 8080, 80, 1, "tcp"),
                new PortMapping(Optional.empty(), 40000, 53, 1, "udp")), d.ports());
        assertEquals(List.of("8080/tcp", "40000/udp"), claimed);
        busy = Set.of(8081);
        JrunException e = assertThrows(JrunException.class,
                () -> plan(p, new NetworkMode.Default(), List.of(PortMapping.parse("8080-8082:80-82"))));
        assertTrue(e.getMessage().contains("8081"), e.getMessage());
        assertEquals(125, e.exitCode());
        e = assertThrows(JrunException.class, () -> plan(p, new NetworkMode.Default(),
                List.of(PortMapping.parse("9000:80"), PortMapping.parse("9000:81"))));
        assertTrue(e.getMessage().contains("same host port"), e.getMessage());
    }

    @Test
    void publishAllTakesTheImagesExposedPortsAndHostModeDiscardsPorts() throws Exception {
        NetworkPlanner.Decision d = planner(ContainersConf.EMPTY, "pasta").plan(new NetworkMode.Default(),
                List.of(), true, List.of("80/tcp", "53/udp", "9/sctp", "8080"), DnsSettings.NONE, List.of(), "box", "",
                "");
        assertEquals(List.of("0.0.0.0:40000->80/tcp", "0.0.0.0:40001->53/udp", "0.0.0.0:40002->8080/tcp"),
                d.ports().stream().map(PortMapping::toString).toList());
        assertTrue(warnings.remove(0).contains("9/sctp is not published"), warnings.toString());
        NetworkPlanner.Decision host = plan(planner(ContainersConf.EMPTY, "pasta"), new NetworkMode.Host(),
                List.of(PortMapping.parse("8080:80")));
        assertEquals(List.of(), host.ports());
        assertTrue(warnings.get(0).contains("Port mappings have been discarded"), warnings.toString());
    }

    @Test
    void resolvConfPointsAtTheHelpersForwarderOrTheHostsServers() throws Exception {
        NetworkPlanner.Decision slirp = plan(planner(ContainersConf.EMPTY, "slirp4netns"),
                NetworkMode.parse("slirp4netns"), List.of());
        assertEquals("search corp.example\nnameserver 10.0.2.3\n", slirp.resolvConf());
        NetworkPlanner.Decision pasta = plan(planner(ContainersConf.EMPTY, "pasta"), NetworkMode.parse("pasta"),
                List.of());
        // 127.0.0.53 is the host's loopback, not reachable from the container's.
        assertEquals("search corp.example\nnameserver 192.0.2.53\n", pasta.resolvConf());
        String own = NetworkFiles.resolvConf(new NetworkMode.Host(),
                DnsSettings.of(List.of("192.0.2.1"), List.of("."), List.of("ndots:2")), "nameserver 1.1.1.1\n");
        assertEquals("nameserver 192.0.2.1\noptions ndots:2\n", own);
    }

    @Test
    void hostsNameTheContainerTheAddedHostsAndTheHost() throws Exception {
        NetworkPlanner.Decision d = planner(ContainersConf.EMPTY, "slirp4netns").plan(
                NetworkMode.parse("slirp4netns:allow_host_loopback=true"), List.of(), false, List.of(),
                DnsSettings.NONE, List.of(HostEntry.parse("db:192.0.2.10"), HostEntry.parse("gw:host-gateway")),
                "box", "", "");
        assertEquals("192.0.2.10\tdb\n10.0.2.2\tgw\n127.0.0.1\tlocalhost localhost.localdomain\n"
                + "::1\tlocalhost localhost.localdomain\n10.0.2.100\tbox\n10.0.2.2\thost.containers.internal\n",
                d.hosts());
        NetworkPlanner.Decision none = plan(planner(ContainersConf.EMPTY), new NetworkMode.None(), List.of());
        assertTrue(!none.hosts().contains("host.containers.internal"), none.hosts());
    }
}
