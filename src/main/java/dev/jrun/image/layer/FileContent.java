package dev.jrun.image.layer;

import dev.jrun.image.tar.TarHeader;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A regular file's content written from the archive: plainly, or a sparse file with its holes. */
final class FileContent {
    private FileContent() {
    }

    /** Creates {@code target} (which must not exist) with the entry's content. */
    static void write(TarHeader entry, InputStream data, Path target, byte[] buffer) throws IOException {
        // CREATE_NEW = O_EXCL and NOFOLLOW_LINKS = O_NOFOLLOW: never open through a symlink
        // even if one appeared at the final component.
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (entry.sparse() == null) {
                copy(data, out, entry.size(), buffer);
                return;
            }
            // Each fragment at its offset; what lies between stays a hole (no zeros written).
            for (TarHeader.SparseFragment f : entry.sparse()) {
                out.position(f.offset());
                copy(data, out, f.length(), buffer);
            }
            if (out.size() < entry.size() && !target.toFile().toPath().equals(target)) {
                // A name that is not UTF-8 has no java.io.File; one zero byte gives the length.
                out.write(ByteBuffer.wrap(new byte[1]), entry.size() - 1);
            }
        }
        if (Files.size(target) < entry.size()) {
            // A trailing hole: extend with ftruncate, as GNU tar does, rather than writing zeros.
            // The file is this unpack's own, just created in a directory private to it.
            try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
                raf.setLength(entry.size());
            }
        }
    }

    /** Copies exactly {@code n} bytes; the tar reader reports a stream that ends sooner. */
    private static void copy(InputStream data, FileChannel out, long n, byte[] buffer) throws IOException {
        long left = n;
        while (left > 0) {
            int r = data.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
                throw new EOFException("the archive ends inside a file's data");
            }
            ByteBuffer bb = ByteBuffer.wrap(buffer, 0, r);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            left -= r;
        }
    }
}
