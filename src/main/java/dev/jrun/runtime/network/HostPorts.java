package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/**
 * Host ports for -p/-P, checked before the container starts: a port another process holds is
 * jrun's error (125) naming the port, not a container that starts and cannot be reached. The
 * helper binds the port itself moments later; if something takes it meanwhile, the helper's
 * failure says so too.
 */
public interface HostPorts {
    /** Fails if the port cannot be bound now; returns {@code port}, or a free port for 0. */
    int claim(PortMapping mapping, int port) throws JrunException;

    HostPorts SYSTEM = (mapping, port) -> {
        String ip = mapping.hostIp().orElse("0.0.0.0");
        try {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(ip), port);
            if (mapping.protocol().equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.bind(at);
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                // A listener holds the port; a connection in TIME_WAIT does not (the helpers
                // bind with SO_REUSEADDR too).
                s.setReuseAddress(true);
                s.bind(at);
                return s.getLocalPort();
            }
        } catch (BindException e) {
            String why = e.getMessage() == null ? "" : e.getMessage();
            if (why.contains("ermission")) {
                throw new JrunException("-p " + mapping + ": host port " + port + " is privileged: an unprivileged "
                        + "user may bind only from net.ipv4.ip_unprivileged_port_start (default 1024); choose a "
                        + "host port of 1024 or more", e);
            }
            if (why.contains("assign")) {
                throw new JrunException("-p " + mapping + ": " + ip + " is not an address of this host", e);
            }
            throw new JrunException("-p " + mapping + ": host port " + port + "/" + mapping.protocol() + " on " + ip
                    + " is already in use; choose another host port, or stop what listens there (ss -lntup "
                    + "'sport = :" + port + "')", e);
        } catch (SocketException e) {
            throw new JrunException("-p " + mapping + ": cannot check host port " + port + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new JrunException("-p " + mapping + ": " + e.getMessage(), e);
        }
    };
}
