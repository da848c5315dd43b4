package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --dns}, {@code --dns-search}, {@code --dns-option}: each replaces what the container's
 * /etc/resolv.conf would otherwise take from the host or the helper. Every value becomes a line
 * of resolv.conf(5), so whitespace (a new line or a new keyword) is refused, not escaped.
 */
public record DnsSettings(List<String> servers, List<String> search, List<String> options) {
    public static final DnsSettings NONE = new DnsSettings(List.of(), List.of(), List.of());

    public DnsSettings {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
        options = List.copyOf(options);
    }

    public static DnsSettings of(List<String> servers, List<String> search, List<String> options)
            throws JrunException {
        for (String s : servers) {
            if (!Addresses.isIpLiteral(s)) {
                throw new JrunException("--dns " + s + ": expected an IP address of a name server, e.g. 192.0.2.53");
            }
        }
        List<String> domains = new ArrayList<>();
        for (String d : search) {
            // podman: --dns-search=. clears the search list
            if (d.equals(".")) continue;
            if (!d.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})")) {
                throw new JrunException("--dns-search " + d + ": expected a domain name, e.g. example.com "
                        + "(or . for none)");
            }
            domains.add(d);
        }
        boolean cleared = search.contains(".");
        for (String o : options) {
            if (!o.matches("[A-Za-z0-9_-]+(:[0-9]+)?")) {
                throw new JrunException("--dns-option " + o + ": expected a resolv.conf(5) option, e.g. ndots:2 "
                        + "or edns0");
            }
        }
        return new DnsSettings(servers, cleared && domains.isEmpty() ? List.of(".") : domains, options);
    }
}
