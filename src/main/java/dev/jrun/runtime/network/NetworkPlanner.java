package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decides a container's network: which helper (podman's default: pasta when installed, else
 * slirp4netns; containers.conf(5) can say otherwise), the published ports with their host ports
 * chosen and checked, and the container's /etc/hosts and /etc/resolv.conf.
 */
public final class NetworkPlanner {
    /** What to install when neither helper is there (Debian's package names). */
    static final String INSTALL_HINT = "install passt (pasta) or slirp4netns, e.g. apt-get install passt";

    /** containers.conf, read when a decision needs it: its TOML parser costs ~130 ms of CPU. */
    @FunctionalInterface
    interface ConfSource {
        ContainersConf load() throws JrunException;
    }

    /** Where a helper is installed, given containers.conf (helper_binaries_dir). */
    @FunctionalInterface
    interface HelperFinder {
        Optional<Path> find(ContainersConf conf, String name);
    }

    private final ConfSource confSource;
    private ContainersConf conf;
    private final HelperFinder finder;
    private final HostPorts hostPorts;
    private final java.util.function.Supplier<Optional<String>> hostAddressSource;
    private Optional<String> hostAddress;
    private final Consumer<String> warn;

    public NetworkPlanner(ContainersConf conf, Function<String, Optional<Path>> findHelper, HostPorts hostPorts,
                          Optional<String> hostAddress, Consumer<String> warn) {
        this(() -> conf, (c, name) -> findHelper.apply(name), hostPorts, () -> hostAddress, warn);
    }

    private NetworkPlanner(ConfSource confSource, HelperFinder finder, HostPorts hostPorts,
                           java.util.function.Supplier<Optional<String>> hostAddressSource, Consumer<String> warn) {
        this.confSource = confSource;
        this.finder = finder;
        this.hostPorts = hostPorts;
        this.hostAddressSource = hostAddressSource;
        this.warn = warn;
    }

    /**
     * The planner for this host: containers.conf as the caller sees it, helpers found in $PATH
     * and podman's helper directories. Nothing is read until a decision needs it (--network
     * host or none need neither the file nor the host's addresses).
     */
    public static NetworkPlanner forHost(Map<String, String> env, Consumer<String> warn) {
        HelperFinder find = (conf, name) -> {
            List<Path> dirs = new ArrayList<>(conf.helperBinariesDirs());
            for (String d : env.getOrDefault("PATH", "").split(":")) {
                if (!d.isEmpty()) dirs.add(Path.of(d));
            }
            for (String d : List.of("/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
                    "/usr/lib/podman", "/usr/local/bin", "/usr/bin", "/bin")) {
                dirs.add(Path.of(d));
            }
            return dirs.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst();
        };
        return new NetworkPlanner(() -> ContainersConf.load(env), find, HostPorts.SYSTEM,
                NetworkPlanner::firstHostAddress, warn);
    }

    private ContainersConf conf() throws JrunException {
        if (conf == null) conf = confSource.load();
        return conf;
    }

    private Optional<Path> findHelper(String name) throws JrunException {
        return finder.find(conf(), name);
    }

    private Optional<String> hostAddress() {
        if (hostAddress == null) hostAddress = hostAddressSource.get();
        return hostAddress;
    }

    /** The decided network and the contents of the container's /etc/hosts and /etc/resolv.conf. */
    public record Decision(NetworkMode mode, List<PortMapping> ports, String hosts, String resolvConf) {
        public Decision {
            ports = List.copyOf(ports);
        }
    }

    /**
     * @param exposedPorts the image's ExposedPorts ("80/tcp"), published by -P
     */
    public Decision plan(NetworkMode requested, List<PortMapping> ports, boolean publishAll, List<String> exposedPorts,
                         DnsSettings dns, List<HostEntry> extraHosts, String hostname, String hostHosts,
                         String hostResolvConf) throws JrunException {
        NetworkMode mode = resolve(requested);
        if (mode instanceof NetworkMode.Joined j && j.hosts().isPresent()) {
            // podman's rules for container:NAME: the name service is the other container's.
            String shown = j.spelling().length() > 22 ? j.spelling().substring(0, 22) : j.spelling();   // a short ID
            if (!dns.servers().isEmpty() || !dns.search().isEmpty() || !dns.options().isEmpty()) {
                throw new JrunException("conflicting options: --dns, --dns-search and --dns-option cannot be used "
                        + "with --network " + shown + ": the container uses the /etc/resolv.conf of the "
                        + "container whose network it joins; leave them out, or give them to that container");
            }
            if (!extraHosts.isEmpty()) {
                throw new JrunException("--add-host " + extraHosts.get(0).name() + ": cannot set extra host entries "
                        + "when the container joins another container's network namespace (--network "
                        + shown + "); give --add-host to that container instead");
            }
        }
        List<PortMapping> wanted = new ArrayList<>(ports);
        if (publishAll) {
            for (String exposed : exposedPorts) {
                // image-spec: "PORT/PROTO", tcp when PROTO is left out; sctp has no helper here.
                if (!exposed.matches("[0-9]{1,5}(/(tcp|udp))?")) {
                    warn.accept("-P: the image's exposed port " + exposed + " is not published: jrun's helpers "
                            + "forward tcp and udp ports");
                    continue;
                }
                wanted.add(PortMapping.parse(exposed));
            }
        }
        List<PortMapping> published = List.of();
        if (!wanted.isEmpty()) {
            if (mode.hasHelper()) {
                published = claim(wanted);
            } else {
                // podman does the same: ports mean nothing without a namespace of one's own
                // to forward into, or in one that has no way out.
                warn.accept("Port mappings have been discarded as the network mode " + describe(mode)
                        + " has no helper to forward them; use --network pasta or slirp4netns");
            }
        }
        Optional<String> containerAddress = Optional.empty();
        Optional<String> hostSeen = mode.hasHelper() ? hostAddress() : Optional.empty();
        if (mode instanceof NetworkMode.Slirp4netns s) {
            containerAddress = Optional.of(s.options().guestAddress());
            if (s.options().allowHostLoopback()) hostSeen = Optional.of(s.options().hostLoopbackAddress());
        } else if (mode instanceof NetworkMode.Pasta) {
            containerAddress = hostAddress();   // pasta gives the container the host's address
        } else {
            hostSeen = Optional.empty();   // host: the host's own /etc/hosts; none: no way to the host
        }
        if (mode instanceof NetworkMode.Joined j && j.hosts().isPresent()) {
            // podman: the other container's files, with this container's hostname on loopback.
            String theirs = j.hosts().get();
            String hosts = theirs.isEmpty() || theirs.endsWith("\n") ? theirs : theirs + "\n";
            return new Decision(mode, published, hosts + "127.0.0.1\t" + hostname + "\n",
                    j.resolvConf().orElse(NetworkFiles.resolvConf(mode, dns, hostResolvConf)));
        }
        return new Decision(mode, published,
                NetworkFiles.hosts(mode, extraHosts, hostname, hostHosts, containerAddress, hostSeen),
                NetworkFiles.resolvConf(mode, dns, hostResolvConf));
    }

    private static String describe(NetworkMode mode) {
        return mode instanceof NetworkMode.Joined j ? j.spelling().substring(0, j.spelling().indexOf(':'))
                : mode.spelling();
    }

    NetworkMode resolve(NetworkMode requested) throws JrunException {
        NetworkMode mode = requested;
        if (mode instanceof NetworkMode.Default) {
            String netns = conf().netns().orElse("private");
            mode = NetworkMode.parse(netns);
        }
        if (mode instanceof NetworkMode.Default) {
            Optional<String> cmd = conf().defaultRootlessNetworkCmd().filter(s -> !s.isEmpty());
            if (cmd.isPresent()) {
                if (!cmd.get().equals("pasta") && !cmd.get().equals("slirp4netns")) {
                    throw new JrunException("containers.conf: default_rootless_network_cmd = \"" + cmd.get()
                            + "\": expected pasta or slirp4netns");
                }
                mode = NetworkMode.parse(cmd.get());
            } else if (findHelper("pasta").isPresent()) {
                // podman 5's default, for run -d too: the container's monitor owns pasta (PastaHelper).
                mode = NetworkMode.parse("pasta");
            } else if (slirpBinary().isPresent()) {
                mode = NetworkMode.parse("slirp4netns");
            } else {
                warn.accept("neither pasta nor slirp4netns is installed, so this container shares the host's "
                        + "network (its loopback services and abstract sockets); " + INSTALL_HINT
                        + ", or choose --network host or none to silence this");
                return new NetworkMode.Host();
            }
        }
        if (mode instanceof NetworkMode.Pasta p) {
            Path binary = findHelper("pasta").orElseThrow(() -> new JrunException("--network pasta: pasta is "
                    + "not installed; install it (apt-get install passt) or use --network slirp4netns"));
            return new NetworkMode.Pasta(binary, p.options());
        }
        if (mode instanceof NetworkMode.Slirp4netns s) {
            Path binary = slirpBinary().orElseThrow(() -> new JrunException("--network slirp4netns: slirp4netns is "
                    + "not installed; install it (apt-get install slirp4netns) or use --network pasta"));
            // containers.conf's network_cmd_options first, the command line's over them.
            SlirpOptions options = SlirpOptions.parse(conf().networkCmdOptions(), "containers.conf network_cmd_options")
                    .with(s.given(), "--network slirp4netns");
            return new NetworkMode.Slirp4netns(binary, options, s.given());
        }
        if (mode instanceof NetworkMode.Container || mode instanceof NetworkMode.Namespace) {
            // The caller opens what is joined (container.NetworkJoins) before planning; a mode
            // that reaches here unopened came from containers.conf's netns.
            throw new JrunException("--network " + mode.spelling() + ": give it on the command line (containers.conf "
                    + "netns can name private, pasta, slirp4netns, host or none)");
        }
        return mode;
    }

    private Optional<Path> slirpBinary() throws JrunException {
        Optional<Path> configured = conf().networkCmdPath().filter(Files::isExecutable);
        return configured.isPresent() ? configured : findHelper("slirp4netns");
    }

    private List<PortMapping> claim(List<PortMapping> wanted) throws JrunException {
        List<PortMapping> out = new ArrayList<>();
        for (PortMapping m : wanted) {
            if (m.hostPort() == 0) {
                // Any free port, one by one (a range of random ports need not be consecutive).
                for (int i = 0; i < m.count(); i++) {
                    PortMapping single = new PortMapping(m.hostIp(), 0, m.containerPort() + i, 1, m.protocol());
                    out.add(single.withHostPort(hostPorts.claim(single, 0)));
                }
            } else {
                for (int i = 0; i < m.count(); i++) hostPorts.claim(m, m.hostPort() + i);
                out.add(m);
            }
        }
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                if (overlap(out.get(i), out.get(j))) {
                    throw new JrunException("-p " + out.get(i) + " and -p " + out.get(j) + " publish the same host "
                            + "port; give each a host port of its own");
                }
            }
        }
        return out;
    }

    private static boolean overlap(PortMapping a, PortMapping b) {
        return a.protocol().equals(b.protocol()) && a.hostPort() < b.hostPort() + b.count()
                && b.hostPort() < a.hostPort() + a.count();
    }

    /** The host's first IPv4 address that is up and not loopback: what pasta copies into the container. */
    static Optional<String> firstHostAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) continue;
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLinkLocalAddress()) return Optional.of(a.getHostAddress());
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
