package dev.jrun.runtime.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** --network, -p, --dns*, --add-host as a user types them, and what jrun refuses to pass on. */
class NetworkOptionsTest {
    private static String refusal(String network) {
        return assertThrows(JrunException.class, () -> NetworkMode.parse(network)).getMessage();
    }

    @Test
    void modesParseAsPodmanSpellsThem() throws Exception {
        assertEquals(new NetworkMode.Host(), NetworkMode.parse("host"));
        assertEquals(new NetworkMode.None(), NetworkMode.parse("none"));
        assertEquals(new NetworkMode.Default(), NetworkMode.parse("private"));
        assertEquals(new NetworkMode.Pasta(Path.of("pasta"), List.of("-t", "8080", "--map-gw")),
                NetworkMode.parse("pasta:-t,8080,--map-gw"));
        NetworkMode.Slirp4netns slirp = (NetworkMode.Slirp4netns) NetworkMode.parse(
                "slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.5.0.0/24,enable_ipv6=true");
        assertTrue(slirp.options().allowHostLoopback());
        assertEquals(1500, slirp.options().mtu());
        assertEquals("10.5.0.3", slirp.options().dnsAddress());
        assertEquals("10.5.0.100", slirp.options().guestAddress());
        assertEquals("10.5.0.2", slirp.options().hostLoopbackAddress());
        assertEquals(new NetworkMode.Namespace(Path.of("/proc/1/ns/net")), NetworkMode.parse("ns:/proc/1/ns/net"));
        assertEquals(new NetworkMode.Container("web"), NetworkMode.parse("container:web"));
        assertTrue(refusal("bridge").contains("no bridge networks"));
        assertTrue(refusal("wifi").contains("unknown mode"));
        assertTrue(refusal("host:x").contains("takes no options"));
        assertTrue(refusal("ns:relative").contains("absolute path"));
    }

    @Test
    void pastaOptionsThatActOnTheHostAreRefused() {
        // Each of these would make pasta write a file, change user, or join another namespace.
        for (String bad : List.of("pasta:--runas,0", "pasta:-P,/home/alice/.bashrc", "pasta:--pid=/tmp/x",
                "pasta:-l,/tmp/log", "pasta:--pcap,/tmp/p", "pasta:--netns,/run/netns/x", "pasta:--userns,/x",
                "pasta:1234", "pasta:sh", "pasta:-f", "pasta:--no-netns-quit", "pasta:-F,3")) {
            assertTrue(refusal(bad).contains("is not accepted"), bad);
        }
        // A value is never allowed to look like an option, or to carry spaces.
        assertTrue(refusal("pasta:-t,--runas=0").contains("not a port spec"));
        assertTrue(refusal("pasta:-t, 80").contains("not a port spec"));
        assertTrue(refusal("pasta:-t").contains("needs a value"));
        assertTrue(refusal("pasta:--no-map-gw=1").contains("takes no value"));
    }

    @Test
    void slirpOptionsAreCheckedOneByOne() {
        assertTrue(refusal("slirp4netns:mtu=70000").contains("576 to 65521"));
        assertTrue(refusal("slirp4netns:mtu=abc").contains("576 to 65521"));
        assertTrue(refusal("slirp4netns:cidr=10.0.2.0").contains("IPv4 network"));
        assertTrue(refusal("slirp4netns:cidr=10.0.2.0/28").contains("prefix must be 1 to 25"));
        assertTrue(refusal("slirp4netns:allow_host_loopback=yes").contains("true or false"));
        assertTrue(refusal("slirp4netns:port_handler=socat").contains("slirp4netns or rootlesskit"));
        assertTrue(refusal("slirp4netns:outbound_addr=--api-socket=/tmp/x").contains("IP address or an interface"));
        assertTrue(refusal("slirp4netns:exit_fd=0").contains("unknown slirp4netns option"));
        assertTrue(refusal("slirp4netns:allow_host_loopback").contains("needs a value"));
    }

    @Test
    void publishedPortsInEveryForm() throws Exception {
        assertEquals(new PortMapping(Optional.empty(), 0, 80, 1, "tcp"), PortMapping.parse("80"));
        assertEquals(new PortMapping(Optional.empty(), 8080, 80, 1, "tcp"), PortMapping.parse("8080:80"));
        assertEquals(new PortMapping(Optional.of("127.0.0.1"), 8080, 80, 1, "udp"),
                PortMapping.parse("127.0.0.1:8080:80/udp"));
        assertEquals(new PortMapping(Optional.of("127.0.0.1"), 0, 80, 1, "tcp"), PortMapping.parse("127.0.0.1::80"));
        assertEquals(new PortMapping(Optional.of("::1"), 8080, 80, 1, "tcp"), PortMapping.parse("[::1]:8080:80"));
        assertEquals(new PortMapping(Optional.empty(), 9000, 8000, 3, "tcp"), PortMapping.parse("9000-9002:8000-8002"));
        assertEquals(new PortMapping(Optional.empty(), 0, 8000, 3, "tcp"), PortMapping.parse("8000-8002"));
        assertEquals("0.0.0.0:9000-9002->8000-8002/tcp", PortMapping.parse("9000-9002:8000-8002").toString());
        for (String bad : List.of("", "x", "0", "65536", "80/sctp", "a:1:2", "1:2:3:4", "9000-9001:80",
                "90-80", "host.example:80:80", "[::1]:80")) {
            assertThrows(JrunException.class, () -> PortMapping.parse(bad), bad);
        }
    }

    @Test
    void dnsAndHostsValuesCannotAddLinesOfTheirOwn() throws Exception {
        assertEquals(List.of("192.0.2.53"), DnsSettings.of(List.of("192.0.2.53"), List.of(), List.of()).servers());
        assertThrows(JrunException.class, () -> DnsSettings.of(List.of("dns.example"), List.of(), List.of()));
        assertThrows(JrunException.class, () -> DnsSettings.of(List.of(), List.of("a.example\nnameserver 1.2.3.4"),
                List.of()));
        assertThrows(JrunException.class, () -> DnsSettings.of(List.of(), List.of(), List.of("ndots:2 rotate")));
        assertEquals(List.of("."), DnsSettings.of(List.of(), List.of("."), List.of()).search());
        assertEquals(new HostEntry("db.local", "192.0.2.10"), HostEntry.parse("db.local:192.0.2.10"));
        assertEquals(new HostEntry("v6", "fd00::1"), HostEntry.parse("v6:fd00::1"));
        assertEquals(new HostEntry("gw", "host-gateway"), HostEntry.parse("gw:host-gateway"));
        assertThrows(JrunException.class, () -> HostEntry.parse("db 10.0.0.1:192.0.2.10"));
        assertThrows(JrunException.class, () -> HostEntry.parse("db:not-an-ip"));
        assertThrows(JrunException.class, () -> HostEntry.parse("db"));
        assertFalse(Addresses.isIpLiteral("localhost"));
    }
}
