package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;

/**
 * {@code --add-host NAME:IP}: one line of the container's /etc/hosts. The name and address are
 * checked by pattern (hosts(5) separates fields by whitespace, so a space or new line would add
 * entries nobody asked for). {@code host-gateway} as address stands for the host, as in podman.
 */
public record HostEntry(String name, String address) {
    public static final String HOST_GATEWAY = "host-gateway";

    public static HostEntry parse(String spec) throws JrunException {
        // The name ends at the first ':'; IPv6 addresses keep theirs (podman: NAME:IP).
        int colon = spec.indexOf(':');
        if (colon <= 0) throw bad(spec);
        String name = spec.substring(0, colon);
        String address = spec.substring(colon + 1);
        if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
        if (!name.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})")) {
            throw new JrunException("--add-host " + spec + ": '" + name + "' is not a host name (letters, digits, "
                    + "'-', '.', '_')");
        }
        if (!address.equals(HOST_GATEWAY) && !Addresses.isIpLiteral(address)) {
            throw new JrunException("--add-host " + spec + ": '" + address + "' is not an IP address (or "
                    + HOST_GATEWAY + ")");
        }
        return new HostEntry(name, address);
    }

    private static JrunException bad(String spec) {
        return new JrunException("--add-host " + spec + ": expected NAME:IP, e.g. db.local:192.0.2.10");
    }
}
