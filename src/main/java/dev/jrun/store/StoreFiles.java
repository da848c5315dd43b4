package dev.jrun.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * How the store reads and writes its JSON records (image, layer and container records) and
 * makes renames durable: records are never written in place.
 */
final class StoreFiles {
    private final Temporaries temporaries;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    StoreFiles(Temporaries temporaries) {
        this.temporaries = temporaries;
    }

    ObjectMapper json() {
        return json;
    }

    <T> T readJson(Path file, Class<T> type, String what) throws StoreException {
        try {
            return json.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new StoreException("the store's record of " + what + " (" + file + ") is unreadable: " + e.getMessage()
                    + "; remove it and pull again", e);
        }
    }

    /** Writes to a temporary file, fsyncs, renames over the target: readers see old or new, never half. */
    void writeJsonAtomically(Path target, Object value) throws IOException {
        Path temp = temporaries.newTempPath("json");
        byte[] bytes = json.writeValueAsBytes(value);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        fsyncDirectory(target.getParent());
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
