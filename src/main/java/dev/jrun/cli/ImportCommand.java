package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.store.ImageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Create a one-layer image from a root filesystem tarball (plain or gzip), as podman import.")
final class ImportCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
            description = "Apply CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL or STOPSIGNAL, e.g. --change CMD=/bin/sh.")
    List<String> changes = new ArrayList<>();

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "The history comment.")
    String message;

    @Option(names = {"-q", "--quiet"}, description = "Accepted for podman compatibility.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "FILE", description = "The tarball, or - for standard input.")
    String file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
            description = "The image's name (without a registry: localhost/NAME:latest).")
    String name;

    @Override
    public Integer call() throws JrunException {
        Engine ctx = new Engine(jrun.root, true, Warnings::print);
        ImageRecord record;
        if (file.equals("-")) {
            if (ctx.sys().isatty(0)) {
                throw new JrunException("import -: standard input is a terminal, not a tarball; pipe one in"
                        + " (jrun import - NAME < rootfs.tar)");
            }
            record = ctx.archives().importRootfs(System.in, "standard input", Optional.ofNullable(name), changes, message);
        } else {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                record = ctx.archives().importRootfs(in, "tarball " + file, Optional.ofNullable(name), changes, message);
            } catch (IOException e) {
                throw new JrunException("import: cannot read " + file + ": " + e.getMessage()
                        + "; give a tar archive of a root filesystem, or - for standard input", e);
            }
        }
        System.out.println("sha256:" + record.id());
        return 0;
    }
}
