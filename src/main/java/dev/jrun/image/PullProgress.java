package dev.jrun.image;

import dev.jrun.oci.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a pull tells the user, on stderr as podman does: on a terminal one line per layer with
 * bytes, rate and ETA, redrawn as data arrives; otherwise one plain line per step; nothing with
 * {@code -q}.
 */
public class PullProgress {
    public static final PullProgress QUIET = new PullProgress(null, false);

    /** A library's listener: a layer's bytes as they arrive (a retry starts again from 0). */
    @FunctionalInterface
    public interface Transfer {
        void progress(Digest layer, long bytes, long size);
    }

    /** Between two {@link Transfer} reports of one layer: few calls for big layers, some for small ones. */
    static final long TRANSFER_STEP = 256 * 1024;

    private final PrintStream out;
    private final boolean terminal;
    private final Transfer transfer;
    private final Map<String, long[]> started = new ConcurrentHashMap<>();

    public PullProgress(PrintStream out, boolean terminal) {
        this(out, terminal, null);
    }

    /** Lines to {@code out} (null: none) and each layer's byte counts to {@code transfer} (null: none). */
    public PullProgress(PrintStream out, boolean terminal, Transfer transfer) {
        this.out = out;
        this.terminal = terminal;
        this.transfer = transfer;
    }

    void resolved(String name, Digest manifest) {
        print("Pulling " + name + " (manifest " + ImageService.shortDigest(manifest) + ")");
    }

    void unpacking(Digest layer) {
        print("Unpacking layer " + ImageService.shortDigest(layer));
    }

    void layerDone(Digest layer, String how) {
        print("Layer " + ImageService.shortDigest(layer) + " " + how);
    }

    void stored(String name, String id) {
        print("Stored " + name + " as " + id.substring(0, 12));
    }

    /**
     * Wraps a download's sink so that progress follows the bytes written to it. Closing the
     * wrapper only flushes: the caller commits or discards the sink after the download.
     */
    OutputStream counting(Digest layer, long size, OutputStream sink) {
        String label = ImageService.shortDigest(layer);
        long startNanos = System.nanoTime();
        return new FilterOutputStream(sink) {
            long written;
            long lastReport;
            long lastTransfer = -1;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
                if (transfer != null && (written - Math.max(0, lastTransfer) >= TRANSFER_STEP || written == size)) {
                    lastTransfer = written;
                    transfer.progress(layer, written, size);
                }
                long now = System.nanoTime();
                if (PullProgress.this.out != null && terminal && now - lastReport > 200_000_000L) {
                    lastReport = now;
                    report(label, written, size, now - startNanos, false);
                }
            }

            @Override
            public void close() throws IOException {
                flush();
                // An attempt that ended short says where it stopped (the next one starts from 0).
                if (transfer != null && written != lastTransfer) transfer.progress(layer, written, size);
                if (PullProgress.this.out != null) report(label, written, size, System.nanoTime() - startNanos, true);
            }
        };
    }

    private synchronized void report(String label, long done, long total, long nanos, boolean finished) {
        double seconds = Math.max(nanos / 1e9, 1e-3);
        double rate = done / seconds;
        String eta = rate > 0 && total > done ? String.format("%.0fs", (total - done) / rate) : "0s";
        String line = String.format("Copying blob %s %s / %s  %s/s  ETA %s", label, human(done), human(total),
                human((long) rate), eta);
        if (terminal) {
            out.print("\r\033[K" + line + (finished ? "\n" : ""));
            out.flush();
        } else if (finished) {
            out.println("Copying blob " + label + " done (" + human(done) + ")");
        }
    }

    private synchronized void print(String line) {
        if (out == null) return;
        out.println(terminal ? "\r\033[K" + line : line);
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + "B";
        if (bytes < 1024 * 1024) return String.format("%.1fKiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1fMiB", bytes / (1024.0 * 1024));
        return String.format("%.2fGiB", bytes / (1024.0 * 1024 * 1024));
    }
}
