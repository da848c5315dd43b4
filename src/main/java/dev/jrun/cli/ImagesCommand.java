package dev.jrun.cli;

import dev.jrun.container.Engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jrun.errors.JrunException;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "images", description = "List the images in the store.", mixinStandardHelpOptions = true)
final class ImagesCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "Output format (default: table).")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "Print only image IDs.")
    boolean quiet;

    @Override
    public Integer call() throws JrunException {
        List<ImageRecord> images = new Engine(jrun.root, true, Warnings::print).store().images();
        if (quiet) {
            images.forEach(i -> System.out.println(i.id().substring(0, 12)));
            return 0;
        }
        switch (format) {
            case "json" -> printJson(images);
            case "table" -> printTable(images);
            default -> throw new JrunException("--format " + format + ": jrun prints table or json");
        }
        return 0;
    }

    private static void printTable(List<ImageRecord> images) {
        System.out.printf("%-40s %-20s %-12s %-30s %s%n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (ImageRecord image : images) {
            List<String> names = image.names().isEmpty() ? List.of("<none>:<none>") : image.names();
            for (String name : names) {
                int at = name.indexOf('@');
                String base = at >= 0 ? name.substring(0, at) : name;
                int colon = base.lastIndexOf(':');
                boolean tagged = colon > base.lastIndexOf('/');
                System.out.printf("%-40s %-20s %-12s %-30s %s%n", tagged ? base.substring(0, colon) : base,
                        tagged ? base.substring(colon + 1) : "<none>", image.id().substring(0, 12),
                        image.created() == null ? "" : image.created(), dev.jrun.image.PullProgress.human(size(image)));
            }
        }
    }

    private static long size(ImageRecord image) {
        long total = 0;
        for (LayerRef l : image.layers()) total += l.size();
        return total;
    }

    private static void printJson(List<ImageRecord> images) throws JrunException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageRecord image : images) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", image.id());
            m.put("Names", image.names());
            m.put("Digest", image.manifestDigest() == null ? null : image.manifestDigest().toString());
            m.put("Created", image.created());
            m.put("Size", size(image));
            m.put("Platform", image.platform() == null ? null : image.platform().toString());
            out.add(m);
        }
        try {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        } catch (IOException e) {
            throw new JrunException("print the image list: " + e.getMessage(), e);
        }
    }
}
