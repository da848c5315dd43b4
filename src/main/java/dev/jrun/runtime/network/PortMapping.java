package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.util.Optional;

/**
 * One {@code -p/--publish [IP:][HOSTPORT:]CONTAINERPORT[-RANGE][/tcp|udp]}: {@code count}
 * consecutive ports from {@code hostPort} on the host to {@code containerPort} in the
 * container. {@code hostPort} 0 means "any free port", chosen when the container starts.
 */
public record PortMapping(Optional<String> hostIp, int hostPort, int containerPort, int count, String protocol) {
    public PortMapping {
        if (count < 1 || containerPort < 1 || containerPort + count - 1 > 65535 || hostPort < 0
                || hostPort + count - 1 > 65535) {
            throw new IllegalArgumentException("port range out of bounds");
        }
    }

    public static PortMapping parse(String spec) throws JrunException {
        String rest = spec;
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new JrunException("--publish " + spec + ": protocol '" + protocol + "': jrun's helpers forward "
                        + "tcp and udp");
            }
        }
        Optional<String> ip = Optional.empty();
        if (rest.startsWith("[")) {
            int close = rest.indexOf("]:");
            if (close < 0) throw bad(spec);
            String v6 = rest.substring(1, close);
            if (!Addresses.isIpv6Literal(v6)) throw bad(spec);
            ip = Optional.of(v6);
            rest = rest.substring(close + 2);
            if (!rest.contains(":")) throw bad(spec);   // [IP]:CONTAINERPORT is ambiguous
        }
        String[] parts = rest.split(":", -1);
        String host;
        String container;
        switch (parts.length) {
            case 1 -> {
                host = "";
                container = parts[0];
            }
            case 2 -> {
                host = parts[0];
                container = parts[1];
            }
            case 3 -> {
                if (ip.isPresent() || !Addresses.isIpv4Literal(parts[0])) {
                    throw new JrunException("--publish " + spec + ": '" + parts[0] + "' is not an IP address "
                            + "(IPv6 goes in brackets: [::1]:8080:80)");
                }
                ip = Optional.of(parts[0]);
                host = parts[1];
                container = parts[2];
            }
            default -> throw bad(spec);
        }
        int[] c = range(container, spec);
        int count = c[1] - c[0] + 1;
        int hostStart = 0;
        if (!host.isEmpty()) {
            int[] h = range(host, spec);
            if (h[1] - h[0] + 1 != count) {
                throw new JrunException("--publish " + spec + ": the host range has " + (h[1] - h[0] + 1)
                        + " ports and the container range " + count + "; give ranges of the same length");
            }
            hostStart = h[0];
        }
        return new PortMapping(ip, hostStart, c[0], count, protocol);
    }

    private static int[] range(String s, String spec) throws JrunException {
        String[] ends = s.split("-", -1);
        if (ends.length > 2) throw bad(spec);
        int first = port(ends[0], spec);
        int last = ends.length == 2 ? port(ends[1], spec) : first;
        if (last < first) throw new JrunException("--publish " + spec + ": range " + s + " ends before it starts");
        return new int[] {first, last};
    }

    private static int port(String s, String spec) throws JrunException {
        if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
            throw new JrunException("--publish " + spec + ": '" + s + "' is not a port (1-65535)");
        }
        return Integer.parseInt(s);
    }

    private static JrunException bad(String spec) {
        return new JrunException("--publish " + spec + ": expected [IP:][HOSTPORT:]CONTAINERPORT[-RANGE][/tcp|udp], "
                + "e.g. 8080:80 or 127.0.0.1:8080:80/tcp");
    }

    /** The same mapping with its host port chosen. */
    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, count, protocol);
    }

    /** As podman shows it: 0.0.0.0:8080->80/tcp. */
    @Override
    public String toString() {
        String ip = hostIp.map(a -> a.contains(":") ? "[" + a + "]" : a).orElse("0.0.0.0");
        String h = count == 1 ? "" + hostPort : hostPort + "-" + (hostPort + count - 1);
        String c = count == 1 ? "" + containerPort : containerPort + "-" + (containerPort + count - 1);
        return ip + ":" + h + "->" + c + "/" + protocol;
    }
}
