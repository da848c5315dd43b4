package dev.jrun.cli;

import dev.jrun.container.Engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jrun.errors.JrunException;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.RemovalReport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "image", description = "Manage images.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommand.Inspect.class, ImageCommand.Prune.class})
final class ImageCommand {
    @ParentCommand JrunCommand jrun;

    @Command(name = "inspect", description = "Show an image's record and config as JSON.", mixinStandardHelpOptions = true)
    static final class Inspect implements Callable<Integer> {
        @ParentCommand ImageCommand image;

        @Parameters(paramLabel = "IMAGE", arity = "1..*")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws JrunException {
            Engine ctx = new Engine(image.jrun.root, true, Warnings::print);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            List<Object> out = new ArrayList<>();
            for (String name : names) {
                ImageRecord record = ctx.images().find(name).orElseThrow(() -> new JrunException("image inspect " + name
                        + ": no such image in the store; see jrun images"));
                try (InputStream config = ctx.store().openBlob(record.configDigest())) {
                    var node = json.createObjectNode();
                    node.put("Id", record.id());
                    node.set("Names", json.valueToTree(record.names()));
                    node.put("Digest", String.valueOf(record.manifestDigest()));
                    node.set("Layers", json.valueToTree(record.layers().stream().map(l -> l.diffId().toString()).toList()));
                    node.set("Config", json.readTree(config.readAllBytes()));
                    out.add(node);
                } catch (IOException e) {
                    throw new JrunException("image inspect " + name + ": read its config: " + e.getMessage(), e);
                }
            }
            try {
                System.out.println(json.writeValueAsString(out));
            } catch (IOException e) {
                throw new JrunException("print: " + e.getMessage(), e);
            }
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove images without a name, and unused layers and blobs.",
            mixinStandardHelpOptions = true)
    static final class Prune implements Callable<Integer> {
        @ParentCommand ImageCommand image;

        @Override
        public Integer call() throws JrunException {
            RemovalReport report = new Engine(image.jrun.root, true, Warnings::print).store().prune();
            report.images().forEach(id -> System.out.println("Deleted: " + id));
            System.out.println("Removed " + report.layers().size() + " layers and " + report.blobs().size() + " blobs");
            return 0;
        }
    }
}
