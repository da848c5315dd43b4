package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.util.List;
import java.util.Optional;

/**
 * podman's slirp4netns options (containers.conf(5) network_cmd_options, podman-run(1)
 * --network slirp4netns:...). Each is checked here because it ends up in slirp4netns's argv:
 * a value is never allowed to become an option of its own.
 *
 * @param portHandler podman's default is rootlesskit, which jrun does not have: both names are
 *     accepted and ports are forwarded by slirp4netns's own API (which keeps the source address)
 */
public record SlirpOptions(boolean allowHostLoopback, Optional<Cidr> cidr, int mtu, boolean enableIpv6,
                           String portHandler, Optional<String> outboundAddr, Optional<String> outboundAddr6) {
    public static final SlirpOptions DEFAULTS = new SlirpOptions(false, Optional.empty(), 65520, false,
            "slirp4netns", Optional.empty(), Optional.empty());

    /** slirp4netns(1): "--mtu=MTU specify MTU (max=65521)"; IPv4 needs at least 576 to carry a full header. */
    static final int MIN_MTU = 576;
    static final int MAX_MTU = 65521;

    /** The address slirp4netns's DNS forwarder answers on: the network address + 3 (10.0.2.3). */
    public String dnsAddress() {
        return cidr.map(c -> c.host(3)).orElse("10.0.2.3");
    }

    /** The container's address: network + 100 (10.0.2.100), slirp4netns(1) --configure. */
    public String guestAddress() {
        return cidr.map(c -> c.host(100)).orElse("10.0.2.100");
    }

    /** The host's loopback as the container sees it when allowed: network + 2 (10.0.2.2). */
    public String hostLoopbackAddress() {
        return cidr.map(c -> c.host(2)).orElse("10.0.2.2");
    }

    /** Applies {@code options} (NAME=VALUE) over the defaults. */
    public static SlirpOptions parse(List<String> options, String source) throws JrunException {
        return DEFAULTS.with(options, source);
    }

    /** These options over this set (containers.conf's options, then the command line's). */
    public SlirpOptions with(List<String> options, String source) throws JrunException {
        boolean loopback = allowHostLoopback;
        Optional<Cidr> range = cidr;
        int mtuValue = mtu;
        boolean ipv6 = enableIpv6;
        String handler = portHandler;
        Optional<String> out4 = outboundAddr;
        Optional<String> out6 = outboundAddr6;
        for (String option : options) {
            if (option.isEmpty()) continue;
            int eq = option.indexOf('=');
            if (eq < 0) {
                throw new JrunException(source + ": option '" + option + "' needs a value (NAME=VALUE)");
            }
            String name = option.substring(0, eq);
            String value = option.substring(eq + 1);
            switch (name) {
                case "allow_host_loopback" -> loopback = bool(value, option, source);
                case "enable_ipv6" -> ipv6 = bool(value, option, source);
                case "cidr" -> range = Optional.of(Cidr.parse(value, source));
                case "mtu" -> {
                    try {
                        mtuValue = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        mtuValue = -1;
                    }
                    if (mtuValue < MIN_MTU || mtuValue > MAX_MTU) {
                        throw new JrunException(source + ": mtu=" + value + ": expected a number from " + MIN_MTU
                                + " to " + MAX_MTU + " (slirp4netns(1))");
                    }
                }
                case "port_handler" -> {
                    if (!value.equals("slirp4netns") && !value.equals("rootlesskit")) {
                        throw new JrunException(source + ": port_handler=" + value + ": expected slirp4netns or "
                                + "rootlesskit");
                    }
                    handler = value;
                }
                case "outbound_addr" -> out4 = Optional.of(outbound(value, option, source));
                case "outbound_addr6" -> out6 = Optional.of(outbound(value, option, source));
                default -> throw new JrunException(source + ": unknown slirp4netns option '" + name + "'; jrun knows "
                        + "allow_host_loopback, cidr, mtu, enable_ipv6, port_handler, outbound_addr, outbound_addr6");
            }
        }
        return new SlirpOptions(loopback, range, mtuValue, ipv6, handler, out4, out6);
    }

    private static boolean bool(String value, String option, String source) throws JrunException {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new JrunException(source + ": " + option + ": expected true or false");
        };
    }

    /**
     * An address or an interface name. It becomes --outbound-addr=VALUE: a leading '-' or any
     * character outside names and addresses is refused, so nothing else reaches the argv.
     */
    private static String outbound(String value, String option, String source) throws JrunException {
        if (Addresses.isIpLiteral(value) || value.matches("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,14}")) return value;
        throw new JrunException(source + ": " + option + ": expected an IP address or an interface name");
    }

    /** An IPv4 network for slirp4netns --cidr. */
    public record Cidr(int network, int prefix) {
        static Cidr parse(String value, String source) throws JrunException {
            String[] parts = value.split("/", -1);
            if (parts.length != 2 || !Addresses.isIpv4Literal(parts[0]) || !parts[1].matches("[0-9]{1,2}")) {
                throw new JrunException(source + ": cidr=" + value + ": expected an IPv4 network such as 10.0.2.0/24");
            }
            int prefix = Integer.parseInt(parts[1]);
            // slirp4netns puts the gateway at .2, DNS at .3 and the container at .100.
            if (prefix < 1 || prefix > 25) {
                throw new JrunException(source + ": cidr=" + value + ": the prefix must be 1 to 25 (slirp4netns "
                        + "puts the container at the network address + 100)");
            }
            int address = Addresses.ipv4ToInt(parts[0]);
            int mask = -1 << (32 - prefix);
            return new Cidr(address & mask, prefix);
        }

        String host(int offset) {
            return Addresses.intToIpv4(network + offset);
        }

        @Override
        public String toString() {
            return Addresses.intToIpv4(network) + "/" + prefix;
        }
    }
}
