package dev.jrun.container;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * `jrun logs`: reads what jrun-monitor wrote in podman's k8s-file format, one record a line:
 * {@code TIMESTAMP STREAM F|P TEXT} (F ends a line, P is part of one).
 */
public final class ContainerLogs {
    /** Whether the container still runs (and its log may grow). */
    @FunctionalInterface
    public interface Liveness {
        boolean running(ContainerStatus c) throws JrunException;
    }

    private final Liveness liveness;

    public ContainerLogs(Liveness liveness) {
        this.liveness = liveness;
    }

    public ContainerLogs(Containers containers) {
        this(c -> containers.status(c.area()).running());
    }

    /**
     * @param tail       only the last N lines (-1: all)
     * @param timestamps prefix each line with its time, as podman's -t
     * @param since      only lines written at or after this time
     * @param follow     keep printing until the container has ended
     */
    public record Options(int tail, boolean timestamps, Optional<Instant> since, boolean follow) {}

    private record Entry(String time, boolean stderr, boolean full, byte[] text) {}

    public void print(ContainerStatus c, Options options, PrintStream out, PrintStream err) throws JrunException {
        Path log = c.area().dir().resolve("ctr.log");
        Path broken = c.area().dir().resolve("ctr.log.error");
        if (Files.exists(broken)) {
            try {
                // The monitor writes why, if the disk still takes the words (a full one does not).
                String why = Files.readString(broken).strip();
                err.println("jrun: note: " + (why.isEmpty() ? "writing the log stopped (a full disk?)" : why)
                        + "; the log is incomplete");
            } catch (IOException ignored) {
                // the note is best effort
            }
        }
        long position = 0;
        boolean first = true;
        while (true) {
            boolean ended = !liveness.running(c);
            Deque<Entry> entries = new ArrayDeque<>();
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                f.seek(position);
                byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE - 8, f.length() - position)];
                f.readFully(rest);
                int start = 0;
                for (int i = 0; i < rest.length; i++) {
                    if (rest[i] != '\n') continue;
                    Entry e = parse(rest, start, i);
                    if (e != null && keep(e, options)) entries.add(e);
                    start = i + 1;
                }
                position += start;   // a record still being written is read on the next round
                if (first && options.tail() >= 0) trim(entries, options.tail());
            } catch (java.io.FileNotFoundException e) {
                if (!Files.exists(c.area().dir())) {
                    throw new JrunException("no container with name or ID \"" + c.name() + "\" found: no such container");
                }
                // not started yet, or a --rootfs --rm run: nothing logged
            } catch (IOException e) {
                throw new JrunException("read the log of container " + c.name() + " (" + log + "): " + e.getMessage(), e);
            }
            for (Entry e : entries) {
                PrintStream to = e.stderr ? err : out;
                if (options.timestamps()) to.print(e.time + " ");
                to.write(e.text, 0, e.text.length);
                if (e.full) to.print('\n');
            }
            out.flush();
            err.flush();
            first = false;
            if (!options.follow() || ended) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The last {@code lines} whole lines (a partial record belongs to the line it starts). */
    private static void trim(Deque<Entry> entries, int lines) {
        int full = 0;
        int keep = 0;
        for (java.util.Iterator<Entry> back = entries.descendingIterator(); back.hasNext(); keep++) {
            if (back.next().full) {
                if (full == lines) break;
                full++;
            }
        }
        while (entries.size() > keep) entries.removeFirst();
    }

    private static boolean keep(Entry e, Options options) {
        if (options.since().isEmpty()) return true;
        try {
            return !Instant.parse(e.time).isBefore(options.since().get());
        } catch (RuntimeException bad) {
            return true;
        }
    }

    /** "TIME STREAM F|P TEXT"; null for a line that is not a record. */
    private static Entry parse(byte[] b, int from, int to) {
        int s1 = indexOf(b, from, to, ' ');
        int s2 = s1 < 0 ? -1 : indexOf(b, s1 + 1, to, ' ');
        int s3 = s2 < 0 ? -1 : indexOf(b, s2 + 1, to, ' ');
        if (s3 < 0) return null;
        String time = new String(b, from, s1 - from, StandardCharsets.US_ASCII);
        String stream = new String(b, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII);
        boolean full = b[s2 + 1] == 'F';
        byte[] text = java.util.Arrays.copyOfRange(b, s3 + 1, to);
        return new Entry(time, stream.equals("stderr"), full, text);
    }

    private static int indexOf(byte[] b, int from, int to, char c) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }
}
