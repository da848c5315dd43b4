package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.RemovalReport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "rmi", description = "Remove images from the store, and the layers no other image uses.",
        mixinStandardHelpOptions = true)
final class RmiCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-f", "--force"}, description = "Remove even if a running container uses the image.")
    boolean force;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Names or IDs (a unique prefix is enough).")
    List<String> images = new ArrayList<>();

    @Override
    public Integer call() throws JrunException {
        Engine ctx = new Engine(jrun.root, true, Warnings::print);
        for (String image : images) {
            ImageRecord record = ctx.images().find(image).orElseThrow(() -> new JrunException("rmi " + image
                    + ": no such image in the store; see jrun images"));
            // By name: untag that name (the image goes when it has none left); by ID: the image.
            String key = record.names().contains(canonical(image)) ? canonical(image)
                    : record.names().contains(local(image)) ? local(image) : record.id();
            RemovalReport report = ctx.store().removeImage(key, force);
            report.untagged().forEach(n -> System.out.println("Untagged: " + n));
            report.images().forEach(id -> System.out.println("Deleted: " + id));
        }
        return 0;
    }

    /** localhost/NAME for a short name: what load and import call images without a registry. */
    private static String local(String image) {
        try {
            dev.jrun.image.ImageReference ref = dev.jrun.image.ImageReference.parse(image);
            return ref.isShortName() ? ref.onDomain("localhost").toString() : ref.toString();
        } catch (JrunException e) {
            return image;
        }
    }

    private static String canonical(String image) {
        try {
            return dev.jrun.image.ImageReference.parse(image).toString();
        } catch (JrunException e) {
            return image;
        }
    }
}
