package dev.jrun.api;

import dev.jrun.image.ImageReference;
import dev.jrun.image.PullProgress;
import dev.jrun.oci.Platform;
import dev.jrun.store.ImageRecord;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/** The images in a store: pull, list, remove, as `jrun pull`, `jrun images`, `jrun rmi`. */
public final class Images {
    private final Jrun jrun;

    Images(Jrun jrun) {
        this.jrun = jrun;
    }

    /** Pulls {@code reference} for this host's platform; returns the image. */
    public ImageInfo pull(String reference) {
        return pull(reference, line -> {});
    }

    /**
     * Pulls {@code reference}; {@code progress} gets the lines `jrun pull` prints on a pipe
     * ("Pulling ...", "Copying blob ... done (...)", "Stored ... as ...").
     */
    public ImageInfo pull(String reference, Consumer<String> progress) {
        return pull(reference, new PullListener() {
            @Override
            public void message(String line) {
                progress.accept(line);
            }
        });
    }

    /**
     * Pulls {@code reference}, telling {@code listener} each layer's bytes as they arrive and
     * the lines `jrun pull` prints. A failure is a {@link JrunApiException} with the command
     * line's message; {@link ImageNotFoundException} when the registry has no such image.
     */
    public ImageInfo pull(String reference, PullListener listener) {
        PullProgress progress = new PullProgress(
                new PrintStream(new LineSplitter(listener::message), true, StandardCharsets.UTF_8), false,
                (layer, bytes, size) -> listener.layer(new LayerProgress(layer.toString(), bytes, size)));
        return Jrun.call(() -> info(jrun.engine(progress).images().pull(ImageReference.parse(reference), Platform.host())));
    }

    public List<ImageInfo> list() {
        return Jrun.call(() -> jrun.engine().store().images().stream().map(Images::info).toList());
    }

    /** Removes the image by ID, or untags {@code reference} (the image goes with its last name). */
    public void remove(String reference, boolean force) {
        Jrun.call(() -> {
            var engine = jrun.engine();
            ImageRecord record = engine.images().find(reference).orElseThrow(() -> new dev.jrun.errors.JrunException(
                    "rmi " + reference + ": no such image in the store; see jrun images"));
            String canonical = ImageReference.parse(reference).toString();
            engine.store().removeImage(record.names().contains(canonical) ? canonical : record.id(), force);
            return null;
        });
    }

    private static ImageInfo info(ImageRecord r) {
        return new ImageInfo(r.id(), r.names(), r.created());
    }

    /** Text written to it, handed on a line at a time. */
    static final class LineSplitter extends OutputStream {
        private final Consumer<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        @Override
        public synchronized void close() {
            if (line.size() > 0) write('\n');
        }
    }
}
