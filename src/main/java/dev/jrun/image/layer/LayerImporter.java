package dev.jrun.image.layer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.DiffId;
import dev.jrun.store.LayerMetadata;
import dev.jrun.store.LayerTransaction;
import dev.jrun.store.Store;
import dev.jrun.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Unpacks a layer stream into the store: into a private temporary directory, verifying the
 * diffID while streaming, applying ownership, then committing (rename) only if all of that
 * succeeded. On any failure the temporary directory is discarded and nothing is used.
 */
public final class LayerImporter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Store store;
    private final LayerUnpacker unpacker;
    private final OwnershipApplier ownership;

    public LayerImporter(Store store, LayerUnpacker unpacker, OwnershipApplier ownership) {
        this.store = Objects.requireNonNull(store, "store");
        this.unpacker = Objects.requireNonNull(unpacker, "unpacker");
        this.ownership = Objects.requireNonNull(ownership, "ownership");
    }

    /**
     * Imports one layer unless the store already has it. The stream is read to its end either
     * way, so a blob tee'd from it ({@code BlobWriter.teeFrom}) is complete even when another
     * process committed the same layer first; check {@link Store#hasLayer} before downloading.
     *
     * @param layer     the layer blob's content (compressed or not); not closed
     * @param expected  the diffID the image config lists for this layer
     * @param mediaType for messages
     * @return the committed layer's diff directory
     */
    public Path importLayer(InputStream layer, DiffId expected, String mediaType) throws JrunException {
        return importLayer(layer, expected, mediaType, () -> { });
    }

    /**
     * Called after a layer was unpacked, verified and given its owners, just before the commit
     * rename; throwing discards the layer. A layer unpacked while its blob is still downloading
     * waits here until the blob's digest was verified: nothing a registry sent is committed
     * before both the blob digest and the diffID matched.
     */
    @FunctionalInterface
    public interface CommitGate {
        void await() throws JrunException;
    }

    /** {@link #importLayer(InputStream, DiffId, String)}, committing only once {@code gate} lets it. */
    public Path importLayer(InputStream layer, DiffId expected, String mediaType, CommitGate gate) throws JrunException {
        return importLayer(layer, expected, mediaType, gate, LayerOrigin.registry());
    }

    /** {@link #importLayer(InputStream, DiffId, String)} for a layer read from {@code origin} (for the advice in refusals). */
    public Path importLayer(InputStream layer, DiffId expected, String mediaType, LayerOrigin origin)
            throws JrunException {
        return importLayer(layer, expected, mediaType, () -> { }, origin);
    }

    private Path importLayer(InputStream layer, DiffId expected, String mediaType, CommitGate gate, LayerOrigin origin)
            throws JrunException {
        if (store.hasLayer(expected)) {
            try {
                layer.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new StoreException("reading layer " + expected + " failed: " + e.getMessage(), e);
            }
            gate.await();
            return store.layerDiffDir(expected);
        }
        try (Prepared prepared = prepare(layer, expected, mediaType, origin)) {
            gate.await();
            return prepared.commit();
        }
    }

    /**
     * Unpacks, verifies and gives owners to a layer the store does not have, without committing
     * it: a caller that needs several layers commits them only once all were accepted, so a
     * refused one leaves the store as it was.
     */
    public Prepared prepare(InputStream layer, DiffId expected, String mediaType, LayerOrigin origin)
            throws JrunException {
        LayerTransaction tx = store.beginLayer(expected);
        try {
            UnpackResult result;
            try {
                result = unpacker.unpack(layer, tx.diffDir(), mediaType, expected, origin);
            } catch (IOException e) {
                throw new StoreException("unpacking layer " + expected + " into " + tx.diffDir() + " failed: "
                        + e.getMessage(), e);
            }
            ownership.apply(tx.diffDir(), result.ownership());
            try {
                Files.write(tx.dir().resolve("ownership.json"), JSON.writeValueAsBytes(result.ownership()));
            } catch (IOException e) {
                throw new StoreException("cannot write the ownership record of layer " + expected + ": " + e.getMessage(), e);
            }
            return new Prepared(tx, new LayerMetadata(result.diffId(), LayerFormat.VERSION, result.uncompressedBytes(),
                    result.entries(), result.notes()));
        } catch (JrunException | RuntimeException e) {
            tx.close();
            throw e;
        }
    }

    /** A layer unpacked and accepted but not committed; closing without {@link #commit} discards it. */
    public static final class Prepared implements AutoCloseable {
        private final LayerTransaction tx;
        private final LayerMetadata metadata;

        private Prepared(LayerTransaction tx, LayerMetadata metadata) {
            this.tx = tx;
            this.metadata = metadata;
        }

        /** Renames the layer into place; returns its diff directory. */
        public Path commit() throws StoreException {
            return tx.commit(metadata);
        }

        @Override
        public void close() throws StoreException {
            tx.close();
        }
    }

    /** The ownership plan recorded with a committed layer. */
    public static OwnershipPlan recordedOwnership(Store store, DiffId diffId) throws StoreException {
        Path file = store.layerDir(diffId).resolve("ownership.json");
        try {
            return JSON.readValue(file.toFile(), OwnershipPlan.class);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage() + "; remove the image and pull again", e);
        }
    }
}
