package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.image.ImageArchives;
import dev.jrun.image.ImageReference;
import dev.jrun.store.ImageRecord;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "save", mixinStandardHelpOptions = true,
        description = "Write an image to an archive that docker load, podman load and jrun load read.")
final class SaveCommand implements Callable<Integer> {
    @ParentCommand JrunCommand jrun;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Write here (default: standard output); replaced only once the archive is complete.")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker-archive",
            description = "docker-archive (default; uncompressed layers), oci-archive, or oci-dir (a directory).")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "Accepted for podman compatibility; jrun save prints nothing.")
    boolean quiet;

    @Parameters(paramLabel = "IMAGE", description = "Name or ID.")
    String image;

    @Override
    public Integer call() throws JrunException {
        ImageArchives.Format f = ImageArchives.Format.parse(format);
        Engine ctx = new Engine(jrun.root, true, Warnings::print);
        ImageRecord record = ctx.images().find(image).orElseThrow(() -> new JrunException("save " + image
                + ": no such image in the store; see jrun images"));
        String name = nameIn(record, image);
        if (output != null && !output.toString().equals("-")) {
            ctx.archives().save(record, name, f, output);
            return 0;
        }
        if (ctx.sys().isatty(1)) {
            throw new JrunException("save: refusing to write an archive to a terminal; use -o FILE or redirect"
                    + " standard output (jrun save " + image + " > image.tar)");
        }
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        ctx.archives().save(record, name, f, out);
        return 0;
    }

    /** The name the user gave, as stored, if it names the image; none when saved by ID (as podman). */
    private static String nameIn(ImageRecord record, String given) {
        try {
            ImageReference ref = ImageReference.parse(given);
            if (record.names().contains(ref.toString())) {
                return ref.toString();
            }
            String local = ref.onDomain("localhost").toString();
            if (ref.isShortName() && record.names().contains(local)) {
                return local;
            }
        } catch (JrunException notAName) {
            // an ID
        }
        return null;
    }
}
