package dev.jrun.runtime;

import dev.jrun.runtime.network.DnsSettings;
import dev.jrun.runtime.network.HostEntry;
import dev.jrun.runtime.network.NetworkMode;
import dev.jrun.runtime.network.PortMapping;
import java.util.List;

/**
 * The container's network as asked for ({@link RunSpec}) or as decided ({@link LaunchPlan}, where
 * the mode is never {@link NetworkMode.Default} and -P has become port mappings).
 *
 * @param publishAll -P: publish the image's ExposedPorts on free host ports
 */
public record Network(NetworkMode mode, List<PortMapping> ports, boolean publishAll, DnsSettings dns,
                      List<HostEntry> extraHosts) {
    /** The host's network namespace, nothing else. */
    public static final Network HOST = of(new NetworkMode.Host());
    /** A network namespace with only loopback. */
    public static final Network NONE = of(new NetworkMode.None());

    public Network {
        ports = List.copyOf(ports);
        extraHosts = List.copyOf(extraHosts);
    }

    public static Network of(NetworkMode mode) {
        return new Network(mode, List.of(), false, DnsSettings.NONE, List.of());
    }

    public Network withMode(NetworkMode newMode) {
        return new Network(newMode, ports, publishAll, dns, extraHosts);
    }

    /** Whether the container gets a network namespace of its own (own sysfs, loopback to bring up). */
    public boolean newNamespace() {
        return mode.newNamespace();
    }

    /** Whether the container mounts a sysfs of its own network namespace (else the host's /sys is bound). */
    public boolean ownSysfs() {
        return mode.ownSysfs();
    }
}
