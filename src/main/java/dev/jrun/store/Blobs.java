package dev.jrun.store;

import dev.jrun.oci.BlobDigest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The store's content-addressed blobs ({@code blobs/<alg>/<hex>}: manifests, configs,
 * compressed layers). A blob is written into {@code tmp/}, verified, fsynced and hard-linked
 * into place; it is never written in place.
 */
final class Blobs {
    private final Path root;
    private final DigestDirectory dir;
    private final Temporaries temporaries;

    Blobs(Path root, Temporaries temporaries) {
        this.root = root;
        this.dir = new DigestDirectory(root.resolve("blobs"));
        this.temporaries = temporaries;
    }

    /** The store's root, for messages. */
    Path root() {
        return root;
    }

    Path blobPath(BlobDigest digest) {
        return dir.entry(digest.digest());
    }

    boolean hasBlob(BlobDigest digest) {
        return Files.isRegularFile(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
    }

    List<BlobDigest> allBlobs() throws IOException {
        return dir.list(BlobDigest::new);
    }

    InputStream openBlob(BlobDigest digest) throws StoreException {
        try {
            return Files.newInputStream(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new StoreException("blob " + digest + " is not in the store " + root + "; pull the image again");
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + " from " + root + ": " + e.getMessage(), e);
        }
    }

    BlobWriter newBlobWriter(BlobDigest expected, long expectedSize) throws StoreException {
        Path temp = temporaries.newTempPath("blob");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new BlobWriter(this, expected, expectedSize, temp, channel);
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary file in " + temporaries.dir() + " for blob "
                    + expected + ": " + e.getMessage() + "; check free space and permissions of the store", e);
        }
    }

    Path putBlob(BlobDigest expected, long expectedSize, InputStream in) throws StoreException {
        try (BlobWriter writer = newBlobWriter(expected, expectedSize)) {
            try {
                in.transferTo(writer);
            } catch (IOException e) {
                throw new StoreException("storing blob " + expected + " failed while reading it: " + e.getMessage(), e);
            }
            return writer.commit();
        }
    }

    /** See {@link Store#linkBlob}. */
    Path linkBlob(BlobDigest expected, long expectedSize, Path file) throws StoreException {
        Path abs = file.toAbsolutePath().normalize();
        if (!abs.startsWith(temporaries.dir()) || !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("linkBlob takes a regular file in " + temporaries.dir() + ", not " + abs);
        }
        Hasher hasher = new Hasher(expected.digest().algorithm());
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (ch.read(buf) > 0 || buf.position() > 0) {
                buf.flip();
                hasher.update(buf);
                buf.clear();
            }
            if (expectedSize >= 0 && hasher.count() != expectedSize) {
                throw new StoreException("blob " + expected + " is " + hasher.count() + " bytes, not the " + expectedSize
                        + " its descriptor declares; nothing was stored");
            }
            if (!hasher.digest().equals(expected.digest())) {
                throw new StoreException("blob content does not match its digest: expected " + expected + ", got "
                        + hasher.digest() + "; nothing was stored");
            }
            ch.force(true);
            return linkIntoPlace(abs, expected);
        } catch (IOException e) {
            throw new StoreException("cannot store blob " + expected + " from " + abs + " in " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** Called by {@link BlobWriter#commit()} after verification: link into place, keep an existing copy. */
    Path commitBlob(Path temp, BlobDigest digest) throws IOException {
        try {
            return linkIntoPlace(temp, digest);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Path linkIntoPlace(Path verified, BlobDigest digest) throws IOException {
        Path target = blobPath(digest);
        try {
            // link(2) never replaces: of two concurrent pulls of one blob, one links, the other
            // finds it there; both succeed and the store holds one copy.
            Files.createLink(target, verified);
            StoreFiles.fsyncDirectory(target.getParent());
        } catch (FileAlreadyExistsException e) {
            // Same digest, same content: keep the existing one.
        }
        return target;
    }

    void delete(BlobDigest digest) throws IOException {
        Files.deleteIfExists(blobPath(digest));
    }
}
