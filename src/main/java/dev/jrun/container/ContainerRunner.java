package dev.jrun.container;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.network.NetworkAttacher;
import dev.jrun.image.ImageConfig;
import dev.jrun.image.ImageReference;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Platform;
import dev.jrun.runtime.ContainerDefaults;
import dev.jrun.runtime.ContainerStarter;
import dev.jrun.runtime.LaunchPlan;
import dev.jrun.runtime.MonitorSpec;
import dev.jrun.runtime.Network;
import dev.jrun.ids.RandomIds;
import dev.jrun.runtime.RootFs;
import dev.jrun.runtime.RunSpec;
import dev.jrun.store.ContainerArea;
import dev.jrun.store.ContainerRecord;
import dev.jrun.store.ContainerState;
import dev.jrun.store.HostProcesses;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.StoreException;
import java.time.Instant;
import dev.jrun.timing.StartupTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * `jrun run`: creates the container in the store, plans it, and starts it under jrun-monitor.
 * Detached, it returns the ID; attached, this JVM becomes jrun-monitor's attach side and never
 * returns (the container's exit status becomes jrun's).
 */
public final class ContainerRunner {
    private final Engine engine;

    public ContainerRunner(Engine engine) {
        this.engine = engine;
    }

    /**
     * Starts the container with its network helper (pasta, slirp4netns): prepared before the
     * monitor starts, which owns what ties the helper's life to the container's (pasta itself,
     * forked by the monitor; slirp4netns's exit pipe), and attached once the ID maps are written,
     * before the container runs; or in the namespaces {@code joins} opened (container:, ns:).
     */
    private ContainerStarter.Started startWithNetwork(ContainerStarter starter, LaunchPlan plan, MonitorSpec monitor,
                                                      NetworkJoins joins,
                                                      ContainerStarter.Created created) throws JrunException {
        monitor = monitor.joining(joins.joins());
        try (NetworkAttacher.Pending net = NetworkAttacher.helpers(engine.sys())
                .prepare(plan.network().mode(), plan.network().ports())) {
            ContainerStarter.Created withNetwork = new ContainerStarter.Created() {
                @Override
                public void created(int containerPid, int monitorPid) throws JrunException {
                    created.created(containerPid, monitorPid);
                }

                @Override
                public void mapped(int containerPid) throws JrunException {
                    created.mapped(containerPid);
                    net.attach(plan.network().ports(), containerPid);
                }
            };
            try {
                return starter.start(plan, monitor.holding(net.monitorHolds()).starting(net.monitorStarts()),
                        withNetwork);
            } catch (JrunException | RuntimeException e) {
                net.abort();
                throw e;
            }
        }
    }

    /**
     * A detached container: its ID, its monitor (a child of this JVM that the caller reaps) and,
     * when watched, this JVM's end of the pipe whose closing ends the container (-1: none).
     */
    public record Launched(String id, int monitorPid, int parentFd) {}

    /** Runs the request; returns the container's ID for -d. Attached runs do not return unless they fail. */
    public String run(RunRequest request) throws JrunException {
        return runLaunched(request).id();
    }

    /** A detached run for a library caller, who must reap {@link Launched#monitorPid()}. */
    public Launched runDetached(RunRequest request) throws JrunException {
        if (!request.detach()) throw new IllegalArgumentException("runDetached needs a detached request");
        return runLaunched(request);
    }

    private Launched runLaunched(RunRequest request) throws JrunException {
        if (request.rootfs().isPresent() && !request.detach() && request.autoRemove() && request.name().isEmpty()) {
            // Nothing to keep and no name to hold: no store, no record, no log. The fastest way
            // through, and what `jrun run --rm --rootfs` has always been.
            RunSpec spec = request.spec().withRoot(new RootFs.Directory(request.rootfs().get().toAbsolutePath().normalize()),
                    ContainerDefaults.NONE, request.args(), request.spec().hostname());
            try (NetworkJoins joins = NetworkJoins.open(engine, spec.network().mode(), spec.usernsRemap())) {
                spec = spec.withNetwork(spec.network().withMode(joins.mode()));
                LaunchPlan plan = engine.planner().plan(spec);
                engine.volumeSetup().prepare(plan);
                StartupTiming.ended("planning");
                ContainerStarter starter = engine.starter();
                ContainerStarter.Started started = startWithNetwork(starter, plan,
                        MonitorSpec.attachedOnly(plan.stopTimeoutSeconds()), joins, (container, monitor) -> {});
                throw starter.attach(started, plan.stdio().tty());
            }
        }
        if (request.image().isEmpty() && request.rootfs().isEmpty()) {
            throw new JrunException("no image: give one (jrun run alpine sh) or a root filesystem (--rootfs DIR)");
        }
        if (request.image().isPresent() && request.spec().usernsRemap().isPresent()) {
            // Stored layers carry owners for your own map; another map would need a store of its
            // own, as Docker keeps /var/lib/docker/231072.231072. Not there yet: say so plainly.
            throw new JrunException("--userns-remap " + request.spec().usernsRemap().get() + " works with --rootfs DIR "
                    + "only: the image store holds layers owned for your own user namespace; export the image to a "
                    + "directory (jrun save, then unpack it) and run it with --rootfs");
        }
        ImageRecord image = request.image().isPresent() ? image(request) : null;
        ImageConfig config = image == null ? null : engine.images().config(image);
        String id = RandomIds.hex(32);
        ContainerArea area = create(request, id, image);
        return launch(area, image, config, request, request.detach(), true);
    }

    /**
     * `jrun start`: runs a stopped container again, on the same writable layer, as `run` was
     * asked to run it ({@code request} is parsed from the recorded options). Attached with
     * {@code attach}, else detached; returns the ID.
     */
    public String start(ContainerStatus c, RunRequest request, boolean attach) throws JrunException {
        if (c.running()) return c.id();
        ImageRecord image = null;
        ImageConfig config = null;
        if (c.area().record().imageId() != null) {
            String imageId = c.area().record().imageId();
            image = engine.images().find(imageId).orElseThrow(() -> new JrunException("the image of container "
                    + c.name() + " (" + imageId.substring(0, 12) + ") was removed (rmi -f); the container cannot "
                    + "start again: remove it (jrun rm " + c.name() + ") and run the image anew"));
            config = engine.images().config(image);
        }
        engine.store().containers().clearRun(c.area());
        return launch(c.area(), image, config, request, !attach, false).id();
    }

    private Launched launch(ContainerArea area, ImageRecord image, ImageConfig config, RunRequest request,
                          boolean detach, boolean removeOnFailure) throws JrunException {
        String id = area.record().id();
        // A ^C before the container runs ends the JVM the usual way: a new container's files go with it.
        Thread cleanup = new Thread(() -> removeQuietly(id));
        if (removeOnFailure) Runtime.getRuntime().addShutdownHook(cleanup);
        ContainerStarter.Started started;
        LaunchPlan plan;
        try (NetworkJoins joins = NetworkJoins.open(engine, request.spec().network().mode(),
                request.spec().usernsRemap())) {
            RootFs root;
            ContainerDefaults defaults;
            if (image != null) {
                root = Overlays.useOverlay(engine, request.storageDriver().orElse(null))
                        ? new RootFs.Overlay(area.lowerDirs(), area.upper(), area.work(), area.rootfs())
                        : Overlays.flattenedCopy(engine, image, area);
                defaults = config.defaults();
            } else {
                root = new RootFs.Directory(request.rootfs().get().toAbsolutePath().normalize());
                defaults = ContainerDefaults.NONE;
            }
            // The container ID's start, as podman; none on the host's network (the host's is kept).
            boolean hostNetwork = request.spec().network().mode() instanceof dev.jrun.runtime.network.NetworkMode.Host;
            RunSpec spec = request.spec().withRoot(root, defaults, request.args(),
                    request.spec().hostname().or(() -> hostNetwork ? Optional.empty()
                            : Optional.of(id.substring(0, 12))));
            spec = spec.withNetwork(spec.network().withMode(joins.mode()));
            plan = engine.planner().plan(spec);
            engine.volumeSetup().prepare(plan);
            engine.store().containers().update(area.record().withConfig(plan.argv(), Json.tree(ProcessDefaults.of(plan))));
            // A watched container that is not --rm is removed by its monitor only when the JVM
            // died first; otherwise the JVM (the library) removes it when it is done with it.
            boolean remove = area.record().autoRemove() || request.watchParent();
            MonitorSpec monitor = new MonitorSpec(!detach, Optional.of(area.dir().resolve("ctr.log")),
                    Optional.of(area.dir().resolve("exit.json")),
                    remove ? List.of("/bin/rm", "-rf", "--", area.dir().toString()) : List.of(),
                    plan.stopTimeoutSeconds(), request.watchParent(), List.of(), MonitorSpec.Relay.CALLER,
                    !area.record().autoRemove() && request.watchParent());
            started = startWithNetwork(engine.starter(), plan, monitor, joins, (container, monitorPid) ->
                    engine.store().containers().writeState(area, new ContainerState(container,
                            HostProcesses.startTime(container), monitorPid, HostProcesses.bootId(),
                            Instant.now().toString())));
        } catch (JrunException | RuntimeException e) {
            if (removeOnFailure) removeQuietly(id);
            throw e;
        } finally {
            if (removeOnFailure) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running already
                }
            }
        }
        if (detach) return new Launched(id, started.monitorPid(), started.parentFd());
        throw engine.starter().attach(started, plan.stdio().tty());
    }

    private ContainerArea create(RunRequest request, String id, ImageRecord image) throws JrunException {
        List<DiffId> layers = new ArrayList<>();
        if (image != null) image.layers().forEach(l -> layers.add(l.diffId()));
        String shown = request.image().orElseGet(() -> request.rootfs().get().toAbsolutePath().normalize().toString());
        if (image != null && !image.names().isEmpty()) {
            String asked = request.image().get();
            shown = image.names().stream().filter(n -> n.endsWith(asked)).findFirst().orElse(image.names().get(0));
        }
        for (int attempt = 0; ; attempt++) {
            String name = request.name().orElseGet(ContainerNames::random);
            ContainerRecord record = ContainerRecord.ofThisProcess(id, name, image == null ? null : image.id(), shown,
                    layers, request.args(), Instant.now().toString(), request.autoRemove(), request.runArguments());
            try {
                return engine.store().containers().create(record, image != null);
            } catch (StoreException e) {
                // A generated name that happens to be taken: draw another.
                if (request.name().isPresent() || attempt == 5 || !e.getMessage().contains("already in use")) throw e;
            }
        }
    }

    /** A failed cleanup must neither hide the container's exit status nor jrun's own error. */
    private void removeQuietly(String id) {
        try {
            engine.store().containers().remove(id);
        } catch (JrunException e) {
            engine.warn("could not remove the files of container " + id + ": " + e.getMessage()
                    + "; jrun rm -f " + id.substring(0, 12) + " removes them");
        }
    }

    private ImageRecord image(RunRequest request) throws JrunException {
        String name = request.image().get();
        // Asked for a platform, a stored image of another one is never run (podman pulls the one asked for).
        Optional<Platform> asked = request.platform().isPresent()
                ? Optional.of(Platform.parse(request.platform().get())) : Optional.empty();
        Platform wanted = asked.orElse(Platform.host());
        switch (request.pull()) {
            case "always":
                return engine.images().pull(ImageReference.parse(name), wanted);
            case "missing": {
                Optional<ImageRecord> local = engine.images().find(name, asked);
                return local.isPresent() ? local.get() : engine.images().pull(ImageReference.parse(name), wanted);
            }
            case "never":
                return engine.images().find(name, asked).orElseThrow(() -> new JrunException("image " + name
                        + (asked.isPresent() ? " for " + wanted : "") + " is not in the store and --pull=never "
                        + "forbids pulling it; run jrun pull " + (asked.isPresent() ? "--platform " + wanted + " " : "")
                        + name));
            default:
                throw new JrunException("--pull " + request.pull() + ": expected missing, always or never");
        }
    }
}
