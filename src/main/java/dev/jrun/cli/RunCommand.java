package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.ContainerDefaults;
import dev.jrun.runtime.HostEnvironment;
import dev.jrun.runtime.LaunchPlan;
import dev.jrun.runtime.LaunchPlanner;
import dev.jrun.runtime.Launcher;
import dev.jrun.runtime.Network;
import dev.jrun.runtime.ProcIdMapWriter;
import dev.jrun.runtime.RootFs;
import dev.jrun.runtime.RunSpec;
import dev.jrun.runtime.SecurityOptions;
import dev.jrun.sys.JnaSyscalls;
import dev.jrun.sys.Syscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import dev.jrun.image.ImageConfig;
import dev.jrun.image.ImageReference;
import dev.jrun.oci.Platform;
import dev.jrun.store.ContainerArea;
import dev.jrun.store.ImageRecord;

@Command(name = "run",
        description = "Run a command in a new container.",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    @Option(names = "--rootfs", paramLabel = "DIR",
            description = "Use this directory as the container's root filesystem (no image).")
    Path rootfs;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]",
            description = "Set an environment variable; KEY alone takes jrun's own value.")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines from FILE.")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user (name or UID) and group, looked up in the container's /etc/passwd.")
    String user;

    @Option(names = "--hostname", paramLabel = "NAME", description = "The container's hostname.")
    String hostname;

    @Option(names = "--read-only", description = "Mount the root filesystem read-only (/tmp, /var/tmp, /run stay writable).")
    boolean readOnly;

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]",
            description = "Bind-mount a host path into the container.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--network", paramLabel = "MODE", defaultValue = "host",
            description = "host (default): the host's network; none: only loopback.")
    String network;

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal of its own.")
    boolean tty;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input connected.")
    boolean interactive;

    @Option(names = "--rm", description = "Remove the container when it exits (jrun always does).")
    boolean rm;

    @Option(names = "--userns-remap", paramLabel = "USER[:GROUP]",
            description = "Map container 0.. to USER's first subordinate range, as Docker's daemon setting.")
    String usernsRemap;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "After a stop signal, kill the container if it is still running this long after (default 10).")
    int stopTimeout;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the image's entrypoint.")
    String entrypoint;

    @Option(names = "--cap-add", paramLabel = "CAP", split = ",",
            description = "Add a capability to the container's bounding set (capabilities(7) name, or ALL).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", split = ",",
            description = "Drop a capability from the container's bounding set (capabilities(7) name, or ALL).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--privileged",
            description = "All capabilities of the user namespace, no seccomp filter, no masked kernel paths.")
    boolean privileged;

    @Option(names = "--security-opt", paramLabel = "OPT",
            description = "seccomp=unconfined|FILE, no-new-privileges, mask=PATHS, unmask=PATHS|ALL, label=disable.")
    List<String> securityOpts = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE|COMMAND", arity = "0..*",
            description = "With --rootfs: the command and its arguments. Otherwise: the image, then the command.")
    List<String> positional = new ArrayList<>();

    @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
            description = "missing (default): pull if the store lacks the image; always; never.")
    String pull;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull (default: this host's).")
    String platform;

    @Option(names = {"-q", "--quiet"}, description = "Say nothing while pulling.")
    boolean quiet;

    @ParentCommand JrunCommand jrun;

    @Override
    public Integer call() throws JrunException {
        if (rootfs != null) {
            Syscalls sys = new JnaSyscalls();
            RunSpec spec = spec(new RootFs.Directory(rootfs.toAbsolutePath().normalize()), ContainerDefaults.NONE,
                    positional, Optional.ofNullable(hostname));
            LaunchPlan plan = new LaunchPlanner(HostEnvironment.detect(sys), sys, Warnings::print).plan(spec);
            return new Launcher(sys, new ProcIdMapWriter()).run(plan);
        }
        if (positional.isEmpty()) {
            throw new JrunException("no image: give one (jrun run alpine sh) or a root filesystem (--rootfs DIR)");
        }
        if (usernsRemap != null) {
            // Stored layers carry owners for your own map; another map would need a store of its
            // own, as Docker keeps /var/lib/docker/231072.231072. Not there yet: say so plainly.
            throw new JrunException("--userns-remap " + usernsRemap + " works with --rootfs DIR only: the image "
                    + "store holds layers owned for your own user namespace; export the image to a directory "
                    + "(jrun save, then unpack it) and run it with --rootfs");
        }
        ImageContext ctx = new ImageContext(jrun == null ? null : jrun.root, quiet);
        ImageRecord image = image(ctx, positional.get(0));
        ImageConfig config = ctx.images().config(image);
        String id = ContainerIds.random();
        ContainerArea area = ctx.store().createContainer(id, image);
        // A ^C before the container runs ends the JVM the usual way: its files go with it.
        Thread cleanup = new Thread(() -> removeQuietly(ctx, id, area));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            RootFs root = Overlays.useOverlay(jrun == null ? null : jrun.storageDriver)
                    ? new RootFs.Overlay(area.lowerDirs(), area.upper(), area.work(), area.rootfs())
                    : Overlays.flattenedCopy(ctx, image, area);
            RunSpec spec = spec(root, config.defaults(), positional.subList(1, positional.size()),
                    Optional.ofNullable(hostname).or(() -> Optional.of(id.substring(0, 12))));
            return new Launcher(ctx.sys, new ProcIdMapWriter()).run(ctx.planner.plan(spec));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            removeQuietly(ctx, id, area);
        }
    }

    /** A failed cleanup must neither hide the container's exit status nor jrun's own error. */
    private static void removeQuietly(ImageContext ctx, String id, ContainerArea area) {
        try {
            ctx.store().removeContainer(id);
        } catch (JrunException e) {
            Warnings.print("could not remove the container's files in " + area.dir() + ": " + e.getMessage()
                    + "; the next jrun that opens the store removes them, or remove them with: jrun unshare rm -rf "
                    + area.dir());
        }
    }

    private ImageRecord image(ImageContext ctx, String name) throws JrunException {
        Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
        switch (pull) {
            case "always":
                return ctx.images().pull(ImageReference.parse(name), wanted);
            case "missing": {
                Optional<ImageRecord> local = ctx.images().find(name);
                return local.isPresent() ? local.get() : ctx.images().pull(ImageReference.parse(name), wanted);
            }
            case "never":
                return ctx.images().find(name).orElseThrow(() -> new JrunException("image " + name
                        + " is not in the store and --pull=never forbids pulling it; run jrun pull " + name));
            default:
                throw new JrunException("--pull " + pull + ": expected missing, always or never");
        }
    }

    private RunSpec spec(RootFs root, ContainerDefaults defaults, List<String> command, Optional<String> host)
            throws JrunException {
        return new RunSpec(root, defaults, command,
                Optional.ofNullable(entrypoint).map(e -> e.isEmpty() ? List.<String>of() : List.of(e)),
                env, envFiles, Optional.ofNullable(workdir), Optional.ofNullable(user), host,
                readOnly, volumes, network(), tty, interactive, Optional.ofNullable(usernsRemap), stopTimeout,
                new SecurityOptions(capAdd, capDrop, privileged, securityOpts));
    }

    private Network network() throws JrunException {
        return switch (network) {
            case "host" -> Network.HOST;
            case "none" -> Network.NONE;
            default -> throw new JrunException("--network " + network + ": jrun supports host and none");
        };
    }
}
