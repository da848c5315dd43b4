package dev.jrun.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a blob's bytes go. {@link #open()} is called once per download attempt and must return a
 * stream that starts empty (a retry starts over), so a file sink truncates. After a failed
 * fetch the sink holds unverified bytes: the caller must discard them, never use them.
 */
@FunctionalInterface
public interface BlobSink {
    OutputStream open() throws IOException;

    /** A sink that (re)writes {@code file} from the start on each attempt. */
    static BlobSink toFile(Path file) {
        return () -> Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** A sink into memory, for small blobs such as configs and in tests. */
    static BlobSink toBuffer(ByteArrayOutputStream buffer) {
        return () -> {
            buffer.reset();
            return new OutputStream() {
                @Override
                public void write(int b) {
                    buffer.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                }
            };
        };
    }
}
