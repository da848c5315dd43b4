package dev.jrun.runtime.network;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --network} as podman spells it: where the container's network namespace comes from.
 * {@link Default} is a request only; the planner turns it into a helper, or into {@link Host}
 * when no helper is installed.
 */
public sealed interface NetworkMode {
    /** The host's network namespace: every host service, loopback and abstract socket is reachable. */
    record Host() implements NetworkMode {}

    /** A new network namespace with only loopback. */
    record None() implements NetworkMode {}

    /**
     * No --network given: containers.conf(5) and the installed helpers decide. {@code detached}
     * (run -d) no longer changes the choice: every helper is tied to the container's monitor.
     */
    record Default(boolean detached) implements NetworkMode {
        public Default() {
            this(false);
        }
    }

    /**
     * A new network namespace connected by pasta(1); {@code options} are checked pasta options.
     * {@code binary} is "pasta" as parsed, an absolute path once planned.
     */
    record Pasta(Path binary, List<String> options) implements NetworkMode {
        public Pasta {
            options = List.copyOf(options);
        }
    }

    /**
     * A new network namespace connected by slirp4netns(1); {@code binary} as for {@link Pasta}.
     * {@code given} are the options as the user wrote them, applied over containers.conf's.
     */
    record Slirp4netns(Path binary, SlirpOptions options, List<String> given) implements NetworkMode {
        public Slirp4netns {
            given = List.copyOf(given);
        }
    }

    /** An existing network namespace, given as a file (/proc/PID/ns/net or a bind mount). */
    record Namespace(Path path) implements NetworkMode {}

    /** Another container's network namespace. */
    record Container(String nameOrId) implements NetworkMode {}

    /**
     * An existing network namespace the container is created in ({@link Container}, {@link Namespace}
     * once the caller has opened it): jrun-monitor enters it, and with {@code inOwner} first the
     * user namespace that owns it, before it clones the container (MonitorSpec.joins).
     *
     * @param spelling   podman's NetworkMode: container:ID or ns:PATH
     * @param inOwner    the container is created in the namespace's owning user namespace, so it
     *                   may mount a sysfs that shows the namespace's interfaces
     * @param hosts      the container's /etc/hosts as the target has it (container:); empty: made
     *                   as for a network of its own
     * @param resolvConf the same for /etc/resolv.conf; empty: the host's
     */
    record Joined(String spelling, boolean inOwner, java.util.Optional<String> hosts,
                  java.util.Optional<String> resolvConf) implements NetworkMode {}

    /** Whether the container gets a network namespace of its own (and so its own sysfs, loopback). */
    default boolean newNamespace() {
        return this instanceof None || this instanceof Pasta || this instanceof Slirp4netns;
    }

    /**
     * Whether a new sysfs can show the container's network: the kernel mounts one only for a
     * network namespace owned by the mounter's user namespace (sysfs: net_current_may_mount).
     */
    default boolean ownSysfs() {
        return newNamespace() || (this instanceof Joined j && j.inOwner());
    }

    /** podman's HostConfig.NetworkMode for this mode as decided. */
    default String spelling() {
        if (this instanceof Joined j) return j.spelling();
        if (this instanceof Pasta) return "pasta";
        if (this instanceof Slirp4netns) return "slirp4netns";
        if (this instanceof Host) return "host";
        if (this instanceof None) return "none";
        if (this instanceof Namespace n) return "ns:" + n.path();
        if (this instanceof Container c) return "container:" + c.nameOrId();
        return "private";
    }

    /** Whether a helper process connects the container's namespace to the host's network. */
    default boolean hasHelper() {
        return this instanceof Pasta || this instanceof Slirp4netns;
    }

    /** Parses a {@code --network} value (podman's spellings, {@code --net} is the same option). */
    static NetworkMode parse(String value) throws JrunException {
        String name = value;
        String options = null;
        int colon = value.indexOf(':');
        if (colon >= 0) {
            name = value.substring(0, colon);
            options = value.substring(colon + 1);
        }
        switch (name) {
            case "host":
            case "none":
            case "private":
                if (options != null) throw new JrunException("--network " + value + ": " + name + " takes no options");
                return name.equals("host") ? new Host() : name.equals("none") ? new None() : new Default();
            case "pasta":
                return new Pasta(Path.of("pasta"), PastaOptions.parse(options == null ? List.of() : List.of(options.split(",", -1)),
                        "--network " + value));
            case "slirp4netns": {
                List<String> given = options == null ? List.of() : List.of(options.split(",", -1));
                return new Slirp4netns(Path.of("slirp4netns"), SlirpOptions.parse(given, "--network " + value), given);
            }
            case "ns":
                if (options == null || !options.startsWith("/")) {
                    throw new JrunException("--network " + value + ": expected ns:PATH with an absolute path, "
                            + "e.g. ns:/proc/1234/ns/net");
                }
                return new Namespace(Path.of(options).normalize());
            case "container":
                if (options == null || options.isEmpty()) {
                    throw new JrunException("--network " + value + ": expected container:NAME or container:ID");
                }
                return new Container(options);
            case "bridge":
                throw new JrunException("--network " + value + ": rootless jrun has no bridge networks; use pasta "
                        + "or slirp4netns (a private network with published ports), host or none");
            default:
                throw new JrunException("--network " + value + ": unknown mode; jrun knows pasta[:OPTIONS], "
                        + "slirp4netns[:OPTIONS], host, none, private, ns:PATH and container:NAME");
        }
    }
}
