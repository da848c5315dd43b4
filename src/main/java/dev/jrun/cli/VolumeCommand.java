package dev.jrun.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.container.ContainerStatus;
import dev.jrun.container.Containers;
import dev.jrun.container.Engine;
import dev.jrun.runtime.MountParser;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import dev.jrun.errors.JrunException;
import dev.jrun.store.Volumes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "volume", description = "Manage named volumes.", mixinStandardHelpOptions = true,
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Inspect.class,
                VolumeCommand.Rm.class, VolumeCommand.Prune.class})
final class VolumeCommand {
    @ParentCommand JrunCommand jrun;

    Volumes volumes() throws JrunException {
        return engine().volumes();
    }

    Engine engine() {
        return new Engine(jrun == null ? null : jrun.root, true, Warnings::print);
    }

    /**
     * Which containers use which volume, as podman asks before removing one: every container in
     * the store, running or not, by the -v and --mount options it was run with (its record keeps
     * them for jrun start).
     */
    Map<String, List<String>> users() throws JrunException {
        Engine engine = engine();
        Map<String, List<String>> users = new HashMap<>();
        for (ContainerStatus c : new Containers(engine).list(true)) {
            RunCommand run = new RunCommand();
            try {
                RunOptions.commandLine(run).parseArgs(c.area().record().runArguments().toArray(String[]::new));
            } catch (CommandLine.ParameterException unreadable) {
                continue;   // recorded by another jrun version: it cannot start again either
            }
            for (String name : MountParser.volumeNames(run.volumes, run.mounts)) {
                users.computeIfAbsent(name, n -> new ArrayList<>()).add(c.id());
            }
        }
        return users;
    }

    /** podman's refusal, exit 2. */
    static JrunException inUse(String name, List<String> containers) {
        return new JrunException(2, "volume " + name + " is being used by the following container(s): "
                + String.join(", ", containers.stream().map(id -> id.substring(0, Math.min(12, id.length()))).toList())
                + ": volume is being used; remove them first (jrun rm)", null);
    }

    @Command(name = "create", description = "Create a named volume.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @ParentCommand VolumeCommand volume;

        @Option(names = "--ignore", description = "Do nothing if a volume of that name exists.")
        boolean ignore;

        @Parameters(paramLabel = "NAME", arity = "1")
        String name;

        @Override
        public Integer call() throws JrunException {
            System.out.println(volume.volumes().create(name, ignore).name());
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List named volumes.", mixinStandardHelpOptions = true)
    static final class Ls implements Callable<Integer> {
        @ParentCommand VolumeCommand volume;

        @Option(names = {"-q", "--quiet"}, description = "Print only the names.")
        boolean quiet;

        @Override
        public Integer call() throws JrunException {
            List<Volumes.Volume> all = volume.volumes().list();
            if (!quiet) System.out.printf("%-12s%s%n", "DRIVER", "VOLUME NAME");
            for (Volumes.Volume v : all) {
                if (quiet) System.out.println(v.name());
                else System.out.printf("%-12s%s%n", v.driver(), v.name());
            }
            return 0;
        }
    }

    @Command(name = "inspect", description = "Show named volumes as JSON.", mixinStandardHelpOptions = true)
    static final class Inspect implements Callable<Integer> {
        @ParentCommand VolumeCommand volume;

        @Option(names = {"-a", "--all"}, description = "Inspect every volume.")
        boolean all;

        @Parameters(paramLabel = "NAME", arity = "0..*")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws JrunException {
            if (!all && names.isEmpty()) throw new JrunException("volume inspect: give a volume name, or --all");
            Volumes volumes = volume.volumes();
            List<Volumes.Volume> out = new ArrayList<>(all ? volumes.list() : List.of());
            for (String name : names) {
                out.add(volumes.find(name).orElseThrow(() -> new JrunException("no such volume " + name
                        + "; see jrun volume ls")));
            }
            // Go's json.MarshalIndent with five spaces, as podman prints it.
            DefaultIndenter five = new DefaultIndenter("     ", "\n");
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                    .withObjectIndenter(five).withArrayIndenter(five);
            try {
                System.out.println(new ObjectMapper().writer(printer).writeValueAsString(out));
            } catch (IOException e) {
                throw new JrunException("volume inspect: print: " + e.getMessage(), e);
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove named volumes and their files.",
            mixinStandardHelpOptions = true)
    static final class Rm implements Callable<Integer> {
        @ParentCommand VolumeCommand volume;

        @Option(names = {"-a", "--all"}, description = "Remove every volume not in use.")
        boolean all;

        @Parameters(paramLabel = "NAME", arity = "0..*")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws JrunException {
            if (!all && names.isEmpty()) throw new JrunException("volume rm: give a volume name, or --all");
            Volumes volumes = volume.volumes();
            Map<String, List<String>> users = volume.users();
            List<String> doomed = new ArrayList<>(names);
            if (all) volumes.list().forEach(v -> doomed.add(v.name()));
            // As podman: each name is tried; the first failure decides the exit status.
            JrunException first = null;
            for (String name : doomed) {
                try {
                    if (users.containsKey(name)) throw inUse(name, users.get(name));
                    volumes.remove(name);
                    System.out.println(name);
                } catch (JrunException e) {
                    if (all && e.exitCode() == 2) continue;   // --all leaves volumes in use alone
                    if (first == null) first = e;
                    else Warnings.print(e.getMessage());
                }
            }
            if (first != null) throw new JrunException(first.exitCode() == 2 ? 2 : 1, first.getMessage(), first);
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove every volume no running container uses.",
            mixinStandardHelpOptions = true)
    static final class Prune implements Callable<Integer> {
        @ParentCommand VolumeCommand volume;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
        boolean force;

        @Override
        public Integer call() throws JrunException {
            Volumes volumes = volume.volumes();
            List<String> unused = new ArrayList<>();
            Map<String, List<String>> users = volume.users();
            for (Volumes.Volume v : volumes.list()) {
                if (!users.containsKey(v.name()) && !volumes.inUse(v.name())) unused.add(v.name());
            }
            if (!force) {
                System.out.println("WARNING! This will remove all volumes not used by at least one container. "
                        + "The following volumes will be removed:");
                unused.forEach(System.out::println);
                System.out.print("Are you sure you want to continue? [y/N] ");
                System.out.flush();
                String answer;
                try {
                    answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
                } catch (IOException e) {
                    answer = null;
                }
                if (answer == null || !answer.strip().equalsIgnoreCase("y")) return 0;
            }
            for (String name : unused) {
                try {
                    volumes.remove(name);
                    System.out.println(name);
                } catch (JrunException e) {
                    if (e.exitCode() != 2) throw e;   // came into use meanwhile: it stays
                }
            }
            return 0;
        }
    }
}
