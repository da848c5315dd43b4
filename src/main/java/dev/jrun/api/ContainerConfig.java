package dev.jrun.api;

import dev.jrun.cli.RunArguments;
import dev.jrun.container.RunRequest;
import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's configuration as the arguments of `jrun run`, parsed by the command line's own
 * parser, and where its ports end up on the host. {@link JrunContainer}'s {@code with...}
 * methods fill it.
 */
final class ContainerConfig {
    private final String image;
    private final Path rootfs;
    private final List<String> options = new ArrayList<>();
    private final List<Integer> exposed = new ArrayList<>();
    private final Map<Integer, Integer> bound = new LinkedHashMap<>();
    /** Free host ports chosen at start() for the exposed ports without a fixed binding. */
    private final Map<Integer, Integer> chosen = new LinkedHashMap<>();
    private List<String> command = List.of();
    private boolean keep;
    private boolean hostNetwork;

    ContainerConfig(String image, Path rootfs) {
        this.image = image;
        this.rootfs = rootfs;
    }

    void add(String... words) {
        options.addAll(List.of(words));
    }

    void command(List<String> command) {
        this.command = List.copyOf(command);
    }

    void expose(int containerPort) {
        exposed.add(containerPort);
    }

    void bind(int hostPort, int containerPort) {
        bound.put(containerPort, hostPort);
    }

    void keep() {
        keep = true;
    }

    boolean kept() {
        return keep;
    }

    /** What follows `jrun run` before start() has chosen host ports ("-p PORT" for an exposed one). */
    List<String> runArguments() {
        return arguments(publishArguments());
    }

    /**
     * The request to run: the network learnt from a first parse (the host's publishes nothing),
     * then a free host port chosen for each exposed port without a binding, so that the handle
     * knows it (the kernel's pick for port 0, released just before jrun binds it).
     */
    RunRequest request() throws JrunException {
        RunRequest probe = RunArguments.parse(arguments(List.of()));
        hostNetwork = probe.spec().network().mode() instanceof dev.jrun.runtime.network.NetworkMode.Host;
        if (!hostNetwork) {
            for (int p : exposed) if (!bound.containsKey(p)) chosen.put(p, Waits.freePort());
        }
        return RunArguments.parse(arguments(hostNetwork ? List.of() : publishArguments())).withWatchParent(!keep);
    }

    /** The host port of {@code containerPort} once started; {@code who} names the container for the error. */
    int mappedPort(int containerPort, String who) {
        if (hostNetwork) return containerPort;
        Integer fixed = bound.get(containerPort);
        if (fixed != null) return fixed;
        if (!exposed.contains(containerPort)) {
            throw new JrunApiException("port " + containerPort + " of container " + who + " is not published: "
                    + "ask for it with withExposedPort(" + containerPort + ") before start()");
        }
        return chosen.get(containerPort);
    }

    private List<String> arguments(List<String> publish) {
        List<String> out = new ArrayList<>(List.of("--detach"));
        out.addAll(options);
        out.addAll(publish);
        if (rootfs != null) {
            out.add("--rootfs");
            out.add(rootfs.toString());
        } else {
            out.add(image);
        }
        out.addAll(command);
        return out;
    }

    private List<String> publishArguments() {
        List<String> out = new ArrayList<>();
        bound.forEach((c, h) -> out.addAll(List.of("--publish", h + ":" + c)));
        for (int p : exposed) {
            if (bound.containsKey(p)) continue;
            Integer h = chosen.get(p);
            out.addAll(List.of("--publish", h == null ? Integer.toString(p) : h + ":" + p));
        }
        return out;
    }

    @Override
    public String toString() {
        return rootfs != null ? "--rootfs " + rootfs : image;
    }
}
