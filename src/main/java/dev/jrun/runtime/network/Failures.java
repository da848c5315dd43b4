package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.util.List;

/** A helper that ended before it was ready, said as a person can act on it. */
final class Failures {
    private Failures() {}

    static JrunException helperFailed(String helper, String output, List<PortMapping> ports) {
        String said = output.isEmpty() ? "" : ": " + output.replace('\n', ' ').strip();
        String lower = output.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("in use") || lower.contains("bind")) {
            return new JrunException(helper + " could not publish the ports " + ports + said
                    + "; a port is in use or below net.ipv4.ip_unprivileged_port_start: choose another host port (-p)");
        }
        if (lower.contains("/dev/net/tun") || lower.contains("tun")) {
            return new JrunException(helper + " could not open /dev/net/tun" + said + "; as root: chmod 0666 "
                    + "/dev/net/tun (Debian's default), or run with --network none or host");
        }
        return new JrunException(helper + " ended before the container's network was ready" + said
                + "; try --network slirp4netns, pasta, none or host");
    }
}
