package dev.jrun.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * `jrun run`'s options, built with picocli's programmatic API into the fields of a
 * {@link RunCommand}: help, completion and error messages are picocli's as before.
 *
 * <p>Why not annotations, as the other commands have: run is the launch path, and reading
 * annotations through reflection was about half of a launch's parsing. The JVM makes a proxy
 * class per annotation type at run time (sun.reflect.annotation.AnnotationParser), which no
 * class-data archive can keep (JDK 25 AOT: "Skipping jdk/proxy2/$Proxy..: Unsupported
 * location"), and reads each field's initial value through a method handle it spins then.
 */
final class RunOptions {
    private RunOptions() {}

    /** The spec of `run`, bound to {@code run}; {@code run.commandSpec} is set to it. */
    @SuppressWarnings("unchecked")
    static CommandSpec spec(RunCommand run) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(run).name("run");
        spec.usageMessage().description("Run a command in a new container.");
        // Not the standard help options: as in podman run, -h is --hostname and only --help is help.
        spec.addOption(OptionSpec.builder("--help").usageHelp(true).description("Show this help and exit.").build());
        spec.addOption(Bindings.option(run.rootfs, v -> run.rootfs = (Path) v, "--rootfs")
                .paramLabel("DIR").type(Path.class)
                .description("Use this directory as the container's root filesystem (no image).").build());
        spec.addOption(Bindings.option(run.env, v -> run.env = (List<String>) v, "-e", "--env")
                .paramLabel("KEY[=VALUE]").type(List.class).auxiliaryTypes(String.class)
                .description("Set an environment variable; KEY alone takes jrun's own value.").build());
        spec.addOption(Bindings.option(run.envFiles, v -> run.envFiles = (List<Path>) v, "--env-file")
                .paramLabel("FILE").type(List.class).auxiliaryTypes(Path.class)
                .description("Read KEY=VALUE lines from FILE.").build());
        spec.addOption(Bindings.option(run.workdir, v -> run.workdir = (String) v, "-w", "--workdir")
                .paramLabel("DIR").type(String.class)
                .description("Working directory inside the container.").build());
        spec.addOption(Bindings.option(run.user, v -> run.user = (String) v, "-u", "--user")
                .paramLabel("USER[:GROUP]").type(String.class)
                .description("Run as this user (name or UID) and group, looked up in the container's /etc/passwd.").build());
        spec.addOption(Bindings.option(run.hostname, v -> run.hostname = (String) v, "-h", "--hostname")
                .paramLabel("NAME").type(String.class)
                .description("The container's hostname (default: a random one; the host's with --network host).").build());
        spec.addOption(Bindings.option(run.readOnly, v -> run.readOnly = (Boolean) v, "--read-only")
                .type(boolean.class)
                .description("Mount the root filesystem read-only (/tmp, /var/tmp, /run stay writable).").build());
        spec.addOption(Bindings.option(run.readOnlyTmpfs, v -> run.readOnlyTmpfs = (Boolean) v, "--read-only-tmpfs")
                .paramLabel("<readOnlyTmpfs>").type(boolean.class).arity("0..1").defaultValue("true").fallbackValue("true")
                .description("With --read-only, mount tmpfs on /tmp, /var/tmp and /run (default true).").build());
        spec.addOption(Bindings.option(run.volumes, v -> run.volumes = (List<String>) v, "-v", "--volume")
                .paramLabel("SOURCE:CONTAINER[:OPTIONS]").type(List.class).auxiliaryTypes(String.class)
                .description("Bind-mount a host path (/path or ./path) or a named volume (NAME, created on first use) " + "into the container; OPTIONS: ro, rw, U (give it to the container's user), z, Z, nocopy.").build());
        spec.addOption(Bindings.option(run.mounts, v -> run.mounts = (List<String>) v, "--mount")
                .paramLabel("type=TYPE,...").type(List.class).auxiliaryTypes(String.class)
                .description("Mount a bind (source=/host/path), a named volume (source=NAME) or a tmpfs " + "(tmpfs-size=, tmpfs-mode=) on target=/path; also ro, U, z.").build());
        spec.addOption(Bindings.option(run.tmpfs, v -> run.tmpfs = (List<String>) v, "--tmpfs")
                .paramLabel("PATH[:OPTIONS]").type(List.class).auxiliaryTypes(String.class)
                .description("Mount a new tmpfs on PATH (default rw,nosuid,nodev; size=, mode=, uid=, gid=, ro, exec, ...).").build());
        spec.addOption(Bindings.option(run.passwd, v -> run.passwd = (Boolean) v, "--passwd")
                .paramLabel("<passwd>").type(boolean.class).arity("0..1").defaultValue("true").fallbackValue("true")
                .description("Add a line to /etc/passwd for a UID the image does not know (default true).").build());
        spec.addOption(Bindings.option(run.passwdEntry, v -> run.passwdEntry = (String) v, "--passwd-entry")
                .paramLabel("TEMPLATE").type(String.class)
                .description("The line --passwd adds; $USERNAME, $UID, $GID, $NAME and $HOME are replaced.").build());
        spec.addOption(Bindings.option(run.network, v -> run.network = (String) v, "--network", "--net")
                .paramLabel("MODE").type(String.class)
                .description("pasta[:OPTIONS] or slirp4netns[:OPTIONS] (a private network; the default is pasta when " + "installed, else slirp4netns), host, none (only loopback), ns:PATH, container:NAME.").build());
        spec.addOption(Bindings.option(run.publish, v -> run.publish = (List<String>) v, "-p", "--publish")
                .paramLabel("[IP:][HOSTPORT:]CONTAINERPORT[-RANGE][/tcp|udp]").type(List.class).auxiliaryTypes(String.class)
                .description("Publish a container's port on the host (private networks only).").build());
        spec.addOption(Bindings.option(run.publishAll, v -> run.publishAll = (Boolean) v, "-P", "--publish-all")
                .type(boolean.class)
                .description("Publish the image's exposed ports on free host ports.").build());
        spec.addOption(Bindings.option(run.dns, v -> run.dns = (List<String>) v, "--dns")
                .paramLabel("IP").type(List.class).auxiliaryTypes(String.class)
                .description("A name server for the container's /etc/resolv.conf.").build());
        spec.addOption(Bindings.option(run.dnsSearch, v -> run.dnsSearch = (List<String>) v, "--dns-search")
                .paramLabel("DOMAIN").type(List.class).auxiliaryTypes(String.class)
                .description("A search domain (. for none).").build());
        spec.addOption(Bindings.option(run.dnsOption, v -> run.dnsOption = (List<String>) v, "--dns-option")
                .paramLabel("OPTION").type(List.class).auxiliaryTypes(String.class)
                .description("A resolv.conf option, e.g. ndots:2.").build());
        spec.addOption(Bindings.option(run.addHost, v -> run.addHost = (List<String>) v, "--add-host")
                .paramLabel("NAME:IP").type(List.class).auxiliaryTypes(String.class)
                .description("Add a line to the container's /etc/hosts.").build());
        spec.addOption(Bindings.option(run.tty, v -> run.tty = (Boolean) v, "-t", "--tty")
                .type(boolean.class)
                .description("Give the container a terminal of its own.").build());
        spec.addOption(Bindings.option(run.interactive, v -> run.interactive = (Boolean) v, "-i", "--interactive")
                .type(boolean.class)
                .description("Keep standard input connected.").build());
        spec.addOption(Bindings.option(run.rm, v -> run.rm = (Boolean) v, "--rm")
                .type(boolean.class)
                .description("Remove the container when it exits.").build());
        spec.addOption(Bindings.option(run.usernsRemap, v -> run.usernsRemap = (String) v, "--userns-remap")
                .paramLabel("USER[:GROUP]").type(String.class)
                .description("Map container 0.. to USER's first subordinate range, as Docker's daemon setting.").build());
        spec.addOption(Bindings.option(run.stopTimeout, v -> run.stopTimeout = (Integer) v, "--stop-timeout")
                .paramLabel("SECONDS").type(int.class).defaultValue("10")
                .description("After a stop signal, kill the container if it is still running this long after (default 10).").build());
        spec.addOption(Bindings.option(run.entrypoint, v -> run.entrypoint = (String) v, "--entrypoint")
                .paramLabel("CMD").type(String.class)
                .description("Override the image's entrypoint.").build());
        spec.addOption(Bindings.option(run.capAdd, v -> run.capAdd = (List<String>) v, "--cap-add")
                .paramLabel("CAP").type(List.class).auxiliaryTypes(String.class).splitRegex(",")
                .description("Add a capability to the container's bounding set (capabilities(7) name, or ALL).").build());
        spec.addOption(Bindings.option(run.capDrop, v -> run.capDrop = (List<String>) v, "--cap-drop")
                .paramLabel("CAP").type(List.class).auxiliaryTypes(String.class).splitRegex(",")
                .description("Drop a capability from the container's bounding set (capabilities(7) name, or ALL).").build());
        spec.addOption(Bindings.option(run.privileged, v -> run.privileged = (Boolean) v, "--privileged")
                .type(boolean.class)
                .description("All capabilities of the user namespace, no seccomp filter, no masked kernel paths.").build());
        spec.addOption(Bindings.option(run.securityOpts, v -> run.securityOpts = (List<String>) v, "--security-opt")
                .paramLabel("OPT").type(List.class).auxiliaryTypes(String.class)
                .description("seccomp=unconfined|FILE, no-new-privileges, mask=PATHS, unmask=PATHS|ALL, label=disable.").build());
        spec.addPositional(Bindings.positional(run.positional, v -> run.positional = (List<String>) v)
                .paramLabel("IMAGE|COMMAND").type(List.class).auxiliaryTypes(String.class).arity("0..*")
                .description("With --rootfs: the command and its arguments. Otherwise: the image, then the command.").build());
        spec.addOption(Bindings.option(run.pull, v -> run.pull = (String) v, "--pull")
                .paramLabel("POLICY").type(String.class).defaultValue("missing")
                .description("missing (default): pull if the store lacks the image; always; never.").build());
        spec.addOption(Bindings.option(run.platform, v -> run.platform = (String) v, "--platform")
                .paramLabel("OS/ARCH[/VARIANT]").type(String.class)
                .description("The platform of the image to run (default: this host's); a stored image of another " + "platform is not run.").build());
        spec.addOption(Bindings.option(run.arch, v -> run.arch = (String) v, "--arch")
                .paramLabel("ARCH").type(String.class)
                .description("Use ARCH instead of this host's architecture.").build());
        spec.addOption(Bindings.option(run.os, v -> run.os = (String) v, "--os")
                .paramLabel("OS").type(String.class)
                .description("Use OS instead of this host's OS.").build());
        spec.addOption(Bindings.option(run.variant, v -> run.variant = (String) v, "--variant")
                .paramLabel("VARIANT").type(String.class)
                .description("Use VARIANT instead of this host's variant.").build());
        spec.addOption(Bindings.option(run.quiet, v -> run.quiet = (Boolean) v, "-q", "--quiet")
                .type(boolean.class)
                .description("Say nothing while pulling.").build());
        spec.addOption(Bindings.option(run.detach, v -> run.detach = (Boolean) v, "-d", "--detach")
                .type(boolean.class)
                .description("Run in the background under jrun-monitor and print the container's ID.").build());
        spec.addOption(Bindings.option(run.name, v -> run.name = (String) v, "--name")
                .paramLabel("NAME").type(String.class)
                .description("The container's name (default: a random one).").build());
        run.commandSpec = spec;
        return spec;
    }

    /**
     * A command line that parses what follows `jrun run` into {@code run}, as `jrun run` does:
     * everything after the image (or the --rootfs command's first word) belongs to the container.
     * For `jrun start` (the recorded options), the library, and `volume rm`'s in-use check.
     */
    static CommandLine commandLine(RunCommand run) {
        CommandSpec spec = spec(run);
        // jrun run --root DIR ... keeps --root among run's recorded arguments (it may follow run,
        // being inherited): they must parse again here, though only the caller's store counts.
        JrunCommand.globalOptions(new JrunCommand()).forEach(spec::addOption);
        return new CommandLine(spec).setStopAtPositional(true);
    }
}
