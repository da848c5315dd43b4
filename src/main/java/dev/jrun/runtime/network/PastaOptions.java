package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which of pasta(1)'s own options a user may pass in {@code --network pasta:OPT,VALUE,...}
 * (podman passes them through as they are). jrun passes only options that shape the container's
 * network; those that would make pasta write files as the caller (--pid, --log-file, --pcap),
 * change whose namespace it joins (--netns, --userns, a PID or a command), change its identity
 * (--runas) or its lifetime (--foreground, --no-netns-quit) stay jrun's, so a container option
 * cannot turn into an action on the host.
 */
final class PastaOptions {
    private PastaOptions() {}

    /** Options and whether each takes a value (short and long names). */
    private static final Map<String, Boolean> ALLOWED = Map.ofEntries(
            Map.entry("-t", true), Map.entry("--tcp-ports", true),
            Map.entry("-u", true), Map.entry("--udp-ports", true),
            Map.entry("-T", true), Map.entry("--tcp-ns", true),
            Map.entry("-U", true), Map.entry("--udp-ns", true),
            Map.entry("-a", true), Map.entry("--address", true),
            Map.entry("-n", true), Map.entry("--netmask", true),
            Map.entry("-g", true), Map.entry("--gateway", true),
            Map.entry("-M", true), Map.entry("--mac-addr", true),
            Map.entry("--ns-mac-addr", true),
            Map.entry("-m", true), Map.entry("--mtu", true),
            Map.entry("-i", true), Map.entry("--interface", true),
            Map.entry("-o", true), Map.entry("--outbound", true),
            Map.entry("--outbound-if4", true), Map.entry("--outbound-if6", true),
            Map.entry("-I", true), Map.entry("--ns-ifname", true),
            Map.entry("-D", true), Map.entry("--dns", true),
            Map.entry("--dns-forward", true),
            Map.entry("-S", true), Map.entry("--search", true),
            Map.entry("-4", false), Map.entry("--ipv4-only", false),
            Map.entry("-6", false), Map.entry("--ipv6-only", false),
            Map.entry("--no-map-gw", false),
            Map.entry("--map-gw", false),   // podman's own: keep the gateway mapped to the host
            Map.entry("--no-tcp", false), Map.entry("--no-udp", false), Map.entry("--no-icmp", false),
            Map.entry("--no-dhcp", false), Map.entry("--no-ndp", false), Map.entry("--no-dhcpv6", false),
            Map.entry("--no-ra", false), Map.entry("--no-dhcp-dns", false), Map.entry("--no-dhcp-search", false),
            Map.entry("-q", false), Map.entry("--quiet", false),
            Map.entry("-d", false), Map.entry("--debug", false));

    /** A value: port specs, addresses, interface names. No spaces, and never a leading '-'. */
    private static final String VALUE = "[A-Za-z0-9~][A-Za-z0-9.:/%~_,@-]*";

    static List<String> parse(List<String> args, String source) throws JrunException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.isEmpty()) continue;
            String name = arg;
            String inline = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                name = arg.substring(0, arg.indexOf('='));
                inline = arg.substring(arg.indexOf('=') + 1);
            }
            Boolean takesValue = ALLOWED.get(name);
            if (takesValue == null) {
                throw new JrunException(source + ": pasta option '" + arg + "' is not accepted: jrun passes only "
                        + "options that shape the container's network (-t, -u, -T, -U, -a, -n, -g, -m, -i, -o, -I, "
                        + "-D, -S, -4, -6, --map-gw, --no-map-gw, --no-*); PID files, logs, capture files, the "
                        + "target namespace and the user are jrun's to set");
            }
            if (!takesValue) {
                if (inline != null) throw new JrunException(source + ": pasta option " + name + " takes no value");
                out.add(name);
                continue;
            }
            String value = inline;
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new JrunException(source + ": pasta option " + name + " needs a value after a comma, "
                            + "e.g. pasta:-t,8080");
                }
                value = args.get(++i);
            }
            if (!value.matches(VALUE)) {
                throw new JrunException(source + ": pasta option " + name + " " + value + ": not a port spec, "
                        + "address or interface name");
            }
            out.add(name);
            out.add(value);
        }
        return out;
    }
}
