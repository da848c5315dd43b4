package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.image.ImageArchives;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Load images from a docker-archive (docker save, podman save), an OCI archive, or an OCI layout"
                + " directory. Gzip-compressed archives are read too.",
                "Names without a registry are recorded as podman records them: busybox:latest is"
                        + " localhost/busybox:latest."})
final class LoadCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-i", "--input"}, paramLabel = "PATH",
            description = "The archive, or an OCI layout directory (default: standard input).")
    Path input;

    @Option(names = {"-q", "--quiet"},
            description = "Accepted for podman compatibility (podman load -q prints the Loaded image lines too).")
    boolean quiet;

    @Override
    public Integer call() throws JrunException {
        Engine ctx = new Engine(jrun.root, true, Warnings::print);
        ImageArchives.Loaded loaded;
        if (input == null || input.toString().equals("-")) {
            if (ctx.sys().isatty(0)) {
                throw new JrunException("load: standard input is a terminal, not an archive; give -i FILE or pipe one"
                        + " in (jrun load < image.tar)");
            }
            loaded = ctx.archives().load(System.in, "standard input");
        } else if (Files.isDirectory(input)) {
            loaded = ctx.archives().loadDirectory(input);
        } else {
            try (InputStream in = Files.newInputStream(input)) {
                loaded = ctx.archives().load(in, "archive " + input);
            } catch (IOException e) {
                throw new JrunException("load: cannot read " + input + ": " + e.getMessage()
                        + "; give an existing archive file or OCI layout directory with -i", e);
            }
        }
        loaded.loadedNames().forEach(n -> System.out.println("Loaded image: " + n));
        return 0;
    }
}
