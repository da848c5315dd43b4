package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.ContainerDefaults;
import dev.jrun.runtime.Entrypoints;
import dev.jrun.runtime.LaunchPlan;
import dev.jrun.runtime.Launcher;
import dev.jrun.runtime.Network;
import dev.jrun.runtime.ProcIdMapWriter;
import dev.jrun.runtime.RootFs;
import dev.jrun.runtime.RunSpec;
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
import dev.jrun.image.Platforms;
import dev.jrun.oci.Platform;
import dev.jrun.store.ContainerArea;
import dev.jrun.store.ImageRecord;

@Command(name = "run",
        description = "Run a command in a new container.")
final class RunCommand implements Callable<Integer> {

    // Not mixinStandardHelpOptions: as in podman run, -h is --hostname and only --help is help.
    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

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

    @Option(names = {"-h", "--hostname"}, paramLabel = "NAME",
            description = "The container's hostname (default: a random one; the host's with --network host).")
    String hostname;

    @Option(names = "--read-only", description = "Mount the root filesystem read-only (/tmp, /var/tmp, /run stay writable).")
    boolean readOnly;

    @Option(names = "--read-only-tmpfs", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "With --read-only, mount tmpfs on /tmp, /var/tmp and /run (default true).")
    boolean readOnlyTmpfs;

    @Option(names = {"-v", "--volume"}, paramLabel = "SOURCE:CONTAINER[:OPTIONS]",
            description = "Bind-mount a host path (/path or ./path) or a named volume (NAME, created on first use) "
                    + "into the container; OPTIONS: ro, rw, U (give it to the container's user), z, Z, nocopy.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "type=TYPE,...",
            description = "Mount a bind (source=/host/path), a named volume (source=NAME) or a tmpfs "
                    + "(tmpfs-size=, tmpfs-mode=) on target=/path; also ro, U, z.")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "PATH[:OPTIONS]",
            description = "Mount a new tmpfs on PATH (default rw,nosuid,nodev; size=, mode=, uid=, gid=, ro, exec, ...).")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--passwd", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Add a line to /etc/passwd for a UID the image does not know (default true).")
    boolean passwd;

    @Option(names = "--passwd-entry", paramLabel = "TEMPLATE",
            description = "The line --passwd adds; $USERNAME, $UID, $GID, $NAME and $HOME are replaced.")
    String passwdEntry;

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

    @Parameters(paramLabel = "IMAGE|COMMAND", arity = "0..*",
            description = "With --rootfs: the command and its arguments. Otherwise: the image, then the command.")
    List<String> positional = new ArrayList<>();

    @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
            description = "missing (default): pull if the store lacks the image; always; never.")
    String pull;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform of the image to run (default: this host's); a stored image of another "
                    + "platform is not run.")
    String platform;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Use ARCH instead of this host's architecture.")
    String arch;

    @Option(names = "--os", paramLabel = "OS", description = "Use OS instead of this host's OS.")
    String os;

    @Option(names = "--variant", paramLabel = "VARIANT", description = "Use VARIANT instead of this host's variant.")
    String variant;

    @Option(names = {"-q", "--quiet"}, description = "Say nothing while pulling.")
    boolean quiet;

    @ParentCommand JrunCommand jrun;

    @Override
    public Integer call() throws JrunException {
        if (rootfs != null) {
            ImageContext ctx = new ImageContext(jrun == null ? null : jrun.root, quiet);
            RunSpec spec = spec(new RootFs.Directory(rootfs.toAbsolutePath().normalize()), ContainerDefaults.NONE,
                    positional, Optional.ofNullable(hostname));
            LaunchPlan plan = ctx.runPlanner().plan(spec);
            ctx.volumeSetup().prepare(plan);
            return new Launcher(ctx.sys, new ProcIdMapWriter()).run(plan);
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
            // The container ID's start, as podman; none on the host's network (the host's is kept).
            boolean hostNetwork = network() == Network.HOST;
            RunSpec spec = spec(root, config.defaults(), positional.subList(1, positional.size()),
                    Optional.ofNullable(hostname).or(() -> hostNetwork ? Optional.empty()
                            : Optional.of(id.substring(0, 12))));
            LaunchPlan plan = ctx.runPlanner().plan(spec);
            ctx.volumeSetup().prepare(plan);
            return new Launcher(ctx.sys, new ProcIdMapWriter()).run(plan);
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
        Optional<Platform> asked = Platforms.asked(platform, os, arch, variant);
        Platform wanted = asked.orElse(Platform.host());
        switch (pull) {
            case "always":
                return ctx.images().pull(ImageReference.parse(name), wanted);
            case "missing": {
                Optional<ImageRecord> local = ctx.images().find(name, asked);
                return local.isPresent() ? local.get() : ctx.images().pull(ImageReference.parse(name), wanted);
            }
            case "never":
                return ctx.images().find(name, asked).orElseThrow(() -> new JrunException("image " + name
                        + (asked.isPresent() ? " for " + wanted : "") + " is not in the store and --pull=never "
                        + "forbids pulling it; run jrun pull " + (asked.isPresent() ? "--platform " + wanted + " " : "")
                        + name));
            default:
                throw new JrunException("--pull " + pull + ": expected missing, always or never");
        }
    }

    private RunSpec spec(RootFs root, ContainerDefaults defaults, List<String> command, Optional<String> host)
            throws JrunException {
        return new RunSpec(root, defaults, command, Optional.ofNullable(entrypoint).map(Entrypoints::parse),
                env, envFiles, Optional.ofNullable(workdir), Optional.ofNullable(user), host,
                readOnly, volumes, network(), tty, interactive, Optional.ofNullable(usernsRemap), stopTimeout,
                mounts, tmpfs, readOnlyTmpfs, passwd, Optional.ofNullable(passwdEntry));
    }

    private Network network() throws JrunException {
        return switch (network) {
            case "host" -> Network.HOST;
            case "none" -> Network.NONE;
            default -> throw new JrunException("--network " + network + ": jrun supports host and none");
        };
    }
}
