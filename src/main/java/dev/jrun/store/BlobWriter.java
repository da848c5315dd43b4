package dev.jrun.store;

import dev.jrun.oci.Digest;
import dev.jrun.oci.BlobDigest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams one blob into the store's tmp/ while hashing it. {@link #commit()} verifies the
 * digest and size, fsyncs, and moves it into {@code blobs/}; {@link #close()} without a commit
 * deletes the temporary file. A writer killed with -9 leaves only its temporary file, which
 * the next {@link Store#open} removes.
 */
public final class BlobWriter extends OutputStream {
    private final Blobs blobs;
    private final BlobDigest expected;
    private final long expectedSize;
    private final Path temp;
    private final FileChannel channel;
    private final Hasher hasher;
    private boolean finished;

    BlobWriter(Blobs blobs, BlobDigest expected, long expectedSize, Path temp, FileChannel channel) {
        this.blobs = blobs;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.temp = temp;
        this.channel = channel;
        this.hasher = new Hasher(expected.digest().algorithm());
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("blob writer for " + expected + " is already closed");
        }
        if (expectedSize >= 0 && hasher.count() + len > expectedSize) {
            // Stop a registry that sends more than the manifest declared before it fills the disk.
            throw new IOException("blob " + expected + " is longer than the " + expectedSize
                    + " bytes its manifest declares; the registry sent something else");
        }
        hasher.update(b, off, len);
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /**
     * An input stream over {@code source} that writes every byte it reads into this blob, so
     * one pass over a download both unpacks a layer and stores its blob (no second read).
     * Read it to the end, then {@link #commit()}: the blob is verified there, the layer by its
     * diffID while unpacking.
     */
    public InputStream teeFrom(InputStream source) {
        return new ObservedInputStream(source) {
            @Override
            protected void observe(byte[] b, int off, int len) throws IOException {
                write(b, off, len);
            }
        };
    }

    /** Bytes written so far (for progress). */
    public long written() {
        return hasher.count();
    }

    /**
     * Verifies and stores the blob.
     *
     * @return its path in the store
     * @throws StoreException on a digest or size mismatch (nothing is kept) or an I/O failure
     */
    public Path commit() throws StoreException {
        if (finished) {
            throw new IllegalStateException("blob writer for " + expected + " is already finished");
        }
        finished = true;
        try {
            Digest actual = hasher.digest();
            if (expectedSize >= 0 && hasher.count() != expectedSize) {
                throw new StoreException("blob " + expected + " is " + hasher.count() + " bytes but its manifest declares "
                        + expectedSize + "; the download was cut short or the registry is broken. Pull again.");
            }
            if (!actual.equals(expected.digest())) {
                throw new StoreException("blob content does not match its digest: expected " + expected + ", got "
                        + actual + "; the registry or a proxy served wrong content. Nothing was stored; pull again.");
            }
            channel.force(true);
            channel.close();
            return blobs.commitBlob(temp, expected);
        } catch (IOException e) {
            throw new StoreException("cannot store blob " + expected + " in " + blobs.root() + ": " + e.getMessage(), e);
        } finally {
            cleanup();
        }
    }

    /** Discards the blob unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        finished = true;
        cleanup();
    }

    private void cleanup() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing useful to do; the file is deleted below
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // the next Store.open removes it
        }
    }
}
