package dev.jrun.cli;

import dev.jrun.container.ContainerRunner;
import dev.jrun.container.Engine;
import dev.jrun.container.RunRequest;
import dev.jrun.errors.JrunException;
import dev.jrun.image.Platforms;
import dev.jrun.oci.Platform;
import dev.jrun.runtime.ContainerDefaults;
import dev.jrun.runtime.Entrypoints;
import dev.jrun.runtime.Network;
import dev.jrun.runtime.RunSpec;
import dev.jrun.runtime.SecurityOptions;
import dev.jrun.timing.StartupTiming;
import dev.jrun.runtime.network.DnsSettings;
import dev.jrun.runtime.network.HostEntry;
import dev.jrun.runtime.network.NetworkMode;
import dev.jrun.runtime.network.PortMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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

    @Option(names = {"--network", "--net"}, paramLabel = "MODE",
            description = "pasta[:OPTIONS] or slirp4netns[:OPTIONS] (a private network; the default is pasta when "
                    + "installed, else slirp4netns), host, none (only loopback), ns:PATH, container:NAME.")
    String network;

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:][HOSTPORT:]CONTAINERPORT[-RANGE][/tcp|udp]",
            description = "Publish a container's port on the host (private networks only).")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-P", "--publish-all"}, description = "Publish the image's exposed ports on free host ports.")
    boolean publishAll;

    @Option(names = "--dns", paramLabel = "IP", description = "A name server for the container's /etc/resolv.conf.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", paramLabel = "DOMAIN", description = "A search domain (. for none).")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = "--dns-option", paramLabel = "OPTION", description = "A resolv.conf option, e.g. ndots:2.")
    List<String> dnsOption = new ArrayList<>();

    @Option(names = "--add-host", paramLabel = "NAME:IP", description = "Add a line to the container's /etc/hosts.")
    List<String> addHost = new ArrayList<>();

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal of its own.")
    boolean tty;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input connected.")
    boolean interactive;

    @Option(names = "--rm", description = "Remove the container when it exits.")
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

    @Option(names = {"-d", "--detach"}, description = "Run in the background under jrun-monitor and print the container's ID.")
    boolean detach;

    @Option(names = "--name", paramLabel = "NAME", description = "The container's name (default: a random one).")
    String name;

    @ParentCommand JrunCommand jrun;

    @Spec CommandSpec commandSpec;

    @Override
    public Integer call() throws JrunException {
        StartupTiming.ended("parsing");
        Engine engine = new Engine(jrun == null ? null : jrun.root, quiet, Warnings::print);
        StartupTiming.ended("native load");
        String id = new ContainerRunner(engine).run(request());
        System.out.println(id);
        return 0;
    }

    /** The options as a request; `jrun start` parses the recorded options again into one. */
    RunRequest request() throws JrunException {
        List<String> args = rootfs != null || positional.isEmpty() ? positional : positional.subList(1, positional.size());
        return new RunRequest(spec(args), rootfs != null ? Optional.empty() : positional.stream().findFirst(),
                Optional.ofNullable(rootfs), args, Optional.ofNullable(name), detach, rm, pull,
                Platforms.asked(platform, os, arch, variant).map(Platform::toString),
                Optional.ofNullable(jrun == null ? null : jrun.storageDriver),
                runArguments());
    }

    /** What followed `run` on the command line, kept so that `jrun start` runs the container the same way. */
    private List<String> runArguments() {
        if (commandSpec == null || commandSpec.commandLine().getParseResult() == null) return List.of();
        List<String> all = commandSpec.commandLine().getParseResult().originalArgs();
        int run = all.indexOf("run");
        return run < 0 ? List.of() : List.copyOf(all.subList(run + 1, all.size()));
    }

    /** The options as a spec; its root and image defaults are filled in once the image is known. */
    private RunSpec spec(List<String> command) throws JrunException {
        return new RunSpec(null, ContainerDefaults.NONE, command,
                Optional.ofNullable(entrypoint).map(Entrypoints::parse),
                env, envFiles, Optional.ofNullable(workdir), Optional.ofNullable(user), Optional.ofNullable(hostname),
                readOnly, volumes, network(), tty, interactive, Optional.ofNullable(usernsRemap), stopTimeout,
                new SecurityOptions(capAdd, capDrop, privileged, securityOpts), mounts, tmpfs, readOnlyTmpfs, passwd,
                Optional.ofNullable(passwdEntry));
    }

    private Network network() throws JrunException {
        NetworkMode mode = network == null ? new NetworkMode.Default(detach) : NetworkMode.parse(network);
        List<PortMapping> ports = new ArrayList<>();
        for (String p : publish) ports.add(PortMapping.parse(p));
        List<HostEntry> hosts = new ArrayList<>();
        for (String h : addHost) hosts.add(HostEntry.parse(h));
        return new Network(mode, ports, publishAll, DnsSettings.of(dns, dnsSearch, dnsOption), hosts);
    }
}
