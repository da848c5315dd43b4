package dev.jrun.runtime.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The container's /etc/hosts and /etc/resolv.conf for a decided network. */
public final class NetworkFiles {
    private NetworkFiles() {}

    /** podman's fallback when the host has no usable name server (containers/common resolvconf). */
    static final List<String> FALLBACK_SERVERS = List.of("8.8.8.8", "8.8.4.4");

    /**
     * resolv.conf(5): --dns replaces the servers, --dns-search the search list, --dns-option the
     * options; what is not replaced comes from the host. In a private network the server is the
     * helper's forwarder (slirp4netns: network + 3) or, with pasta, the host's own servers as podman
     * writes them, less loopback ones (127.0.0.53 of systemd-resolved is the host's, not the
     * container's, loopback).
     */
    public static String resolvConf(NetworkMode mode, DnsSettings dns, String hostResolvConf) {
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String line : hostResolvConf.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) continue;
            switch (f[0]) {
                case "nameserver" -> servers.add(f[1]);
                case "search", "domain" -> {
                    search.clear();
                    for (int i = 1; i < f.length; i++) search.add(f[i]);
                }
                case "options" -> {
                    for (int i = 1; i < f.length; i++) options.add(f[i]);
                }
                default -> { }
            }
        }
        if (mode instanceof NetworkMode.Slirp4netns s) {
            servers = new ArrayList<>(List.of(s.options().dnsAddress()));
        } else if (mode instanceof NetworkMode.Pasta) {
            servers.removeIf(Addresses::isLoopback);
            if (servers.isEmpty()) servers.addAll(FALLBACK_SERVERS);
        }
        if (!dns.servers().isEmpty()) servers = dns.servers();
        if (!dns.search().isEmpty()) search = dns.search().equals(List.of(".")) ? List.of() : dns.search();
        if (!dns.options().isEmpty()) options = dns.options();
        StringBuilder sb = new StringBuilder();
        if (!search.isEmpty()) sb.append("search ").append(String.join(" ", search)).append('\n');
        for (String s : servers) sb.append("nameserver ").append(s).append('\n');
        if (!options.isEmpty()) sb.append("options ").append(String.join(" ", options)).append('\n');
        return sb.toString();
    }

    /**
     * hosts(5), podman's order: --add-host entries, localhost, the host's own entries when the
     * network is the host's, the container's name on its address, host.containers.internal.
     *
     * @param hostAddress the host as the container reaches it (empty: no such entry)
     */
    public static String hosts(NetworkMode mode, List<HostEntry> extra, String hostname, String hostHosts,
                               Optional<String> containerAddress, Optional<String> hostAddress) {
        StringBuilder sb = new StringBuilder();
        for (HostEntry e : extra) {
            String address = e.address().equals(HostEntry.HOST_GATEWAY) ? hostAddress.orElse("127.0.0.1") : e.address();
            sb.append(address).append('\t').append(e.name()).append('\n');
        }
        if (mode instanceof NetworkMode.Host && !hostHosts.isEmpty()) {
            sb.append(hostHosts);
            if (!hostHosts.endsWith("\n")) sb.append('\n');
        } else {
            sb.append("127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n");
        }
        sb.append(containerAddress.orElse("127.0.1.1")).append('\t').append(hostname).append('\n');
        hostAddress.ifPresent(a -> sb.append(a).append("\thost.containers.internal\n"));
        return sb.toString();
    }
}
