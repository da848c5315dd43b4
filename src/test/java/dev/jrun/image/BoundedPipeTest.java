package dev.jrun.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class BoundedPipeTest {
    @Test
    void carriesBytesInOrderThroughASmallPipe() throws Exception {
        byte[] data = new byte[1_000_003];
        new Random(1).nextBytes(data);
        BoundedPipe pipe = new BoundedPipe(4096);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = pipe.source()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[777];
                int n;
                while ((n = in.read(buf)) >= 0) out.write(buf, 0, n);
                return out.toByteArray();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        OutputStream out = pipe.sink();
        for (int off = 0; off < data.length; off += 1000) out.write(data, off, Math.min(1000, data.length - off));
        pipe.finish();
        assertArrayEquals(data, read.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aReaderFailureReleasesAWriterBlockedOnAFullPipe() throws Exception {
        BoundedPipe pipe = new BoundedPipe(1024);
        IOException cause = new IOException("refused by the unpacker");
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = pipe.sink();
                for (int i = 0; i < 100; i++) out.write(new byte[1024]);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(200); // the writer is blocked: nobody reads
        pipe.fail(cause);
        Throwable t = writer.get(10, TimeUnit.SECONDS);
        assertTrue(t instanceof IOException, String.valueOf(t));
        assertSame(cause, t.getCause());
        assertSame(cause, pipe.failure());
    }

    @Test
    void aWriterFailureReachesAWaitingReaderAndTheFirstCauseIsKept() throws Exception {
        BoundedPipe pipe = new BoundedPipe(1024);
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                pipe.source().read(new byte[10]);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(100);
        IOException first = new IOException("connection reset");
        pipe.fail(first);
        pipe.fail(new IOException("later"));
        assertSame(first, reader.get(10, TimeUnit.SECONDS).getCause());
        assertSame(first, pipe.failure());
        assertThrows(IOException.class, () -> pipe.sink().write(1));
    }

    @Test
    void closingTheReaderBeforeTheEndFailsTheWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe(16);
        pipe.sink().write(new byte[8]);
        pipe.source().close();
        assertThrows(IOException.class, () -> pipe.sink().write(new byte[8]));
        BoundedPipe done = new BoundedPipe(16);
        done.finish();
        done.source().close();
        assertEquals(null, done.failure());
    }
}
