package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.image.ImageReference;
import dev.jrun.oci.Platform;
import dev.jrun.store.ImageRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pull", description = "Pull an image from a registry into the store.", mixinStandardHelpOptions = true)
final class PullCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image ID.")
    boolean quiet;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Pull this platform (default: this host's).")
    String platform;

    @Parameters(paramLabel = "IMAGE", description = "e.g. alpine, docker.io/library/alpine:3.20, host:5000/name@sha256:...")
    String image;

    @Override
    public Integer call() throws JrunException {
        Engine ctx = new Engine(jrun.root, quiet, Warnings::print);
        ImageRecord record = ctx.images().pull(ImageReference.parse(image),
                platform == null ? Platform.host() : Platform.parse(platform));
        System.out.println(record.id());
        return 0;
    }
}
