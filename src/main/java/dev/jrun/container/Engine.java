package dev.jrun.container;

import dev.jrun.errors.JrunException;
import dev.jrun.image.ArchiveLimits;
import dev.jrun.image.ImageArchives;
import dev.jrun.image.ImageService;
import dev.jrun.image.PullProgress;
import dev.jrun.image.RegistriesConf;
import dev.jrun.image.RemoteImageResolver;
import dev.jrun.image.UserNamespaceOwnership;
import dev.jrun.image.UserNamespaceRemover;
import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.UnpackLimits;
import dev.jrun.registry.AuthFile;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RetryPolicy;
import dev.jrun.runtime.HostEnvironment;
import dev.jrun.runtime.LaunchPlanner;
import dev.jrun.runtime.Launcher;
import dev.jrun.runtime.ProcIdMapWriter;
import dev.jrun.runtime.UserNamespaceTasks;
import dev.jrun.runtime.NamedVolumes;
import dev.jrun.runtime.VolumeSetup;
import dev.jrun.store.Store;
import dev.jrun.store.Volumes;
import dev.jrun.sys.SyscallsFactory;
import dev.jrun.sys.Syscalls;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import dev.jrun.runtime.ContainerStarter;

/**
 * Wires the store, the registry client and the user-namespace helpers for the image commands.
 * One engine may serve several threads (a library's container handle execs while another
 * thread follows its logs): the parts are made once, under this object's lock, and are
 * themselves safe to share (the store coordinates threads and processes, see StoreLock).
 */
public final class Engine {
    private final Syscalls sys = SyscallsFactory.create();
    private final Map<String, String> env = System.getenv();
    private final Consumer<String> warn;
    private final Path root;
    private final boolean quiet;
    private final PullProgress progress;
    private LaunchPlanner planner;
    private Launcher launcher;
    private UserNamespaceTasks tasks;
    private Store store;
    private ImageService images;

    /**
     * @param rootOption --root, or null for the default
     * @param quiet      no pull progress
     * @param warn       where warnings go (jrun's stderr)
     */
    public Engine(Path rootOption, boolean quiet, Consumer<String> warn) {
        this(rootOption, quiet, warn, null);
    }

    /** A library's engine: pull progress goes to {@code progress} (null: stderr, or nothing when quiet). */
    public Engine(Path rootOption, boolean quiet, Consumer<String> warn, PullProgress progress) {
        this.root = rootOption != null ? rootOption.toAbsolutePath() : defaultRoot(env);
        this.quiet = quiet;
        this.warn = warn;
        this.progress = progress;
    }

    public Syscalls sys() {
        return sys;
    }

    public Map<String, String> env() {
        return env;
    }

    void warn(String message) {
        warn.accept(message);
    }

    public synchronized LaunchPlanner planner() {
        if (planner == null) {
            planner = new LaunchPlanner(HostEnvironment.detect(sys), sys, warn).withVolumes(namedVolumes());
        }
        return planner;
    }

    synchronized Launcher launcher() {
        if (launcher == null) launcher = new Launcher(sys, new ProcIdMapWriter(sys));
        return launcher;
    }

    ContainerStarter starter() {
        return new ContainerStarter(sys, new ProcIdMapWriter(sys));
    }

    /** --root, else $JRUN_ROOT, else $XDG_DATA_HOME/jrun, else ~/.local/share/jrun. */
    public static Path defaultRoot(Map<String, String> env) {
        if (env.containsKey("JRUN_ROOT")) return Path.of(env.get("JRUN_ROOT")).toAbsolutePath();
        String data = env.get("XDG_DATA_HOME");
        if (data != null && !data.isEmpty()) return Path.of(data, "jrun");
        return Path.of(System.getProperty("user.home"), ".local", "share", "jrun");
    }

    public synchronized UserNamespaceTasks tasks() throws JrunException {
        if (tasks == null) tasks = new UserNamespaceTasks(launcher(), planner().userNamespace(Optional.empty()));
        return tasks;
    }

    public synchronized Store store() throws JrunException {
        if (store == null) store = Store.open(root, new UserNamespaceRemover(tasks()));
        return store;
    }

    /** Named volumes in this store; its volumes/ directory is made on first use. */
    public Volumes volumes() throws JrunException {
        return Volumes.of(root, new UserNamespaceRemover(tasks()));
    }

    /** Named volumes as a launch uses them: created on first use, as podman's -v NAME:/path. */
    NamedVolumes namedVolumes() {
        return new NamedVolumes() {
            @Override
            public Path directory(String name) throws JrunException {
                Volumes.checkName(name, "-v " + name);
                Volumes volumes = volumes();
                volumes.create(name, true);
                volumes.use(name);   // while this process lives: jrun volume rm and prune leave it alone
                return volumes.dataDir(name);
            }

            @Override
            public boolean firstUse(String name) throws JrunException {
                return volumes().find(name).map(Volumes.Volume::needsCopyUp).orElse(false);
            }

            @Override
            public void used(String name) throws JrunException {
                volumes().markUsed(name);
            }
        };
    }

    /** Prepares a plan's volumes (copy-up, :U) inside the user namespace. */
    public VolumeSetup volumeSetup() {
        return new VolumeSetup(launcher(), namedVolumes());
    }

    public RegistryClient client() {
        // Say that a pull retries, as podman does, rather than sit silent for seconds.
        return RegistryClient.builder().credentials(AuthFile.forEnvironment(env))
                .retry(RetryPolicy.DEFAULT.withNotice(warn)).build();
    }

    private LayerImporter importer() throws JrunException {
        return new LayerImporter(store(), new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()),
                new UserNamespaceOwnership(tasks()));
    }

    /** load, save, import. */
    public ImageArchives archives() throws JrunException {
        return new ImageArchives(store(), importer(), ArchiveLimits.defaults());
    }

    public synchronized ImageService images() throws JrunException {
        if (images == null) {
            LayerImporter importer = importer();
            PullProgress progress = this.progress != null ? this.progress
                    : quiet ? PullProgress.QUIET : new PullProgress(System.err, System.console() != null);
            images = new ImageService(store(), () -> {
                RegistryClient client = client();
                return new ImageService.Remote(new RemoteImageResolver(RegistriesConf.load(env), client), client);
            }, importer, progress);
        }
        return images;
    }
}
