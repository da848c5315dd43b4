package dev.jrun.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrun.store.ContainerArea;
import dev.jrun.store.ContainerRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading what jrun-monitor writes: podman's k8s-file lines, full (F) and partial (P). */
class ContainerLogsTest {
    @TempDir Path dir;

    private static final String LOG = """
            2026-12-02T05:00:00.000000001Z stdout F first
            2026-12-02T05:00:01.000000000Z stderr F oops
            2026-12-02T05:00:02.000000000Z stdout P sec
            2026-12-02T05:00:02.500000000Z stdout F ond
            2026-12-02T05:00:03.000000000Z stdout F third
            2026-12-02T05:00:04.000000000Z stdout F half-written""";   // no newline: still being written

    private String[] print(ContainerLogs.Options options) throws Exception {
        Files.writeString(dir.resolve("ctr.log"), LOG);
        ContainerRecord record = ContainerRecord.ofThisProcess("c", "c", null, "/root", List.of(), List.of("sh"),
                Instant.now().toString(), false, List.of());
        ContainerStatus c = new ContainerStatus(new ContainerArea(record, dir, dir, dir, dir, List.of()),
                ContainerStatus.Kind.EXITED, Optional.empty(), Optional.empty(), 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new ContainerLogs(x -> false).print(c, options, new PrintStream(out), new PrintStream(err));
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void streamsGoWhereTheyCameFromAndPartialRecordsJoin() throws Exception {
        String[] got = print(new ContainerLogs.Options(-1, false, Optional.empty(), false));
        assertEquals("first\nsecond\nthird\n", got[0]);
        assertEquals("oops\n", got[1]);
    }

    @Test
    void tailCountsWholeLines() throws Exception {
        assertEquals("second\nthird\n", print(new ContainerLogs.Options(2, false, Optional.empty(), false))[0]);
        assertEquals("", print(new ContainerLogs.Options(0, false, Optional.empty(), false))[0]);
    }

    @Test
    void timestampsAndSince() throws Exception {
        String[] got = print(new ContainerLogs.Options(-1, true, Optional.of(Instant.parse("2026-12-02T05:00:02Z")), false));
        assertEquals("2026-12-02T05:00:02.000000000Z sec2026-12-02T05:00:02.500000000Z ond\n"
                + "2026-12-02T05:00:03.000000000Z third\n", got[0]);
        assertEquals("", got[1]);
    }
}
