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
import picocli.CommandLine.Model.CommandSpec;

/** `jrun run`: its options (see {@link RunOptions}) as a request to {@link ContainerRunner}. */
final class RunCommand implements Callable<Integer> {
    // The options' values, filled in by picocli through RunOptions' bindings.
    Path rootfs;
    List<String> env = new ArrayList<>();
    List<Path> envFiles = new ArrayList<>();
    String workdir;
    String user;
    String hostname;
    boolean readOnly;
    boolean readOnlyTmpfs;
    List<String> volumes = new ArrayList<>();
    List<String> mounts = new ArrayList<>();
    List<String> tmpfs = new ArrayList<>();
    boolean passwd;
    String passwdEntry;
    String network;
    List<String> publish = new ArrayList<>();
    boolean publishAll;
    List<String> dns = new ArrayList<>();
    List<String> dnsSearch = new ArrayList<>();
    List<String> dnsOption = new ArrayList<>();
    List<String> addHost = new ArrayList<>();
    boolean tty;
    boolean interactive;
    boolean rm;
    String usernsRemap;
    int stopTimeout;
    String entrypoint;
    List<String> capAdd = new ArrayList<>();
    List<String> capDrop = new ArrayList<>();
    boolean privileged;
    List<String> securityOpts = new ArrayList<>();
    List<String> positional = new ArrayList<>();
    String pull;
    String platform;
    String arch;
    String os;
    String variant;
    boolean quiet;
    boolean detach;
    String name;

    /** The global options (--root, --storage-driver), when not those of the command line `run` is part of. */
    JrunCommand jrun;

    /** Set by {@link RunOptions#spec}: the parse result gives the arguments `jrun start` records. */
    CommandSpec commandSpec;

    /** What @ParentCommand would inject: the global options' holder. */
    private JrunCommand global() {
        return jrun != null ? jrun : JrunCommand.of(commandSpec);
    }

    @Override
    public Integer call() throws JrunException {
        StartupTiming.ended("parsing");
        Engine engine = new Engine(global().root, quiet, Warnings::print);
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
                Optional.ofNullable(global().storageDriver),
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
