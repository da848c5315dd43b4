package dev.jrun.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A library's byte counts: every 256 KiB of a layer, its size at the end, where a short attempt stopped. */
class PullProgressTest {
    private static final Digest LAYER = Digest.sha256(new byte[] {1});

    private static List<Long> feed(long size, long send, int chunk) throws Exception {
        List<Long> seen = new ArrayList<>();
        PullProgress progress = new PullProgress(null, false, (layer, bytes, total) -> {
            assertEquals(LAYER, layer);
            assertEquals(size, total);
            seen.add(bytes);
        });
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = progress.counting(LAYER, size, sink)) {
            byte[] buffer = new byte[chunk];
            for (long left = send; left > 0; left -= chunk) out.write(buffer, 0, (int) Math.min(chunk, left));
        }
        assertEquals(send, sink.size());
        return seen;
    }

    @Test
    void aLayerIsReportedEvery256KiBAndOnceComplete() throws Exception {
        assertEquals(List.of(262144L, 524288L, 600000L), feed(600_000, 600_000, 65536));
        // Reads of odd sizes: a report once 256 KiB more have come, the last at the size.
        assertEquals(List.of(270000L, 540000L, 600000L), feed(600_000, 600_000, 30000));
        assertEquals(List.of(100L), feed(100, 100, 8192));
    }

    @Test
    void anAttemptCutShortSaysWhereItStopped() throws Exception {
        assertEquals(List.of(262144L, 300000L), feed(600_000, 300_000, 65536));
    }
}
