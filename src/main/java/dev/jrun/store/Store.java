package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * jrun's on-disk image store; see {@code package-info.java} for the layout and the rules that
 * keep it consistent when processes are killed or run concurrently. This class opens the store
 * and is the one handle callers hold; each part lives in its own class: {@link Blobs},
 * {@link Layers} (with {@link LayerTransaction}), {@link ImageRecords}, {@link GarbageCollector},
 * {@link ContainerStore}, over {@link StoreLocks}, {@link StoreFiles} and {@link Temporaries}.
 *
 * <p>Typical pull (hold a {@link #lease()} for all of it, so a concurrent {@code rmi} or
 * {@code prune} cannot delete blobs or layers before the image record refers to them):
 * <pre>{@code
 * try (Store.Lease lease = store.lease()) {
 *     for (layer : manifest.layers) {
 *         if (!store.hasLayer(diffId)) {
 *             // one pass: the download is stored as a blob while the layer unpacks from it
 *             try (BlobWriter blob = store.newBlobWriter(digest, size)) {
 *                 layerImporter.importLayer(blob.teeFrom(registryStream), diffId, mediaType);
 *                 blob.commit();
 *             }
 *         }
 *     }
 *     store.putImage(record);
 * }
 * }</pre>
 */
public final class Store {

    private final Path root;
    private final StoreLocks locks;
    private final Temporaries temporaries;
    private final Blobs blobs;
    private final Layers layers;
    private final ImageRecords images;
    private final ContainerStore containers;
    private final GarbageCollector garbageCollector;

    private Store(Path root, Remover remover) {
        this.root = root;
        this.locks = new StoreLocks(root);
        this.temporaries = new Temporaries(root.resolve("tmp"), remover);
        StoreFiles files = new StoreFiles(temporaries);
        this.blobs = new Blobs(root, temporaries);
        this.layers = new Layers(root, locks, files, temporaries, remover);
        this.images = new ImageRecords(root, locks, files, blobs, layers);
        this.containers = new ContainerStore(root, locks, files, layers, temporaries, remover);
        this.garbageCollector = new GarbageCollector(root, locks, temporaries, blobs, layers, images, containers);
    }

    /**
     * Opens (creating if needed) the store at {@code root} and removes temporary files that
     * crashed or killed jrun processes left behind.
     *
     * @param remover how to delete trees that may hold files owned by subordinate IDs
     */
    public static Store open(Path root, Remover remover) throws StoreException {
        Objects.requireNonNull(remover, "remover");
        Path abs = root.toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(abs)) {
                Files.createDirectories(abs.getParent());
                try {
                    // 0700: layers hold setuid binaries owned by the caller or its subordinate
                    // IDs; other host users must not be able to reach and execute them.
                    Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    // another jrun created it first
                }
            }
            for (String dir : List.of("tmp", "blobs/sha256", "blobs/sha512", "layers/sha256", "layers/sha512", "images",
                    "containers")) {
                Files.createDirectories(abs.resolve(dir));
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the image store at " + abs + ": " + e.getMessage()
                    + "; choose a writable directory with --root or JRUN_ROOT", e);
        }
        Store store = new Store(abs, remover);
        store.garbageCollector.removeLeftovers();
        return store;
    }

    public Path root() {
        return root;
    }

    /**
     * A name for what another part of jrun writes in the store's {@code tmp/}: the next store
     * opening removes it once this process is gone, as it does the store's own.
     */
    public static String tempName(String kind) {
        return Temporaries.name(kind);
    }

    // ---------------------------------------------------------------- leases

    /**
     * Protects everything this process stores from deletion until closed. Hold one across a pull,
     * from the first {@link #hasBlob}/{@link #hasLayer} check to {@link #putImage}.
     */
    public Lease lease() throws StoreException {
        return new Lease(locks.protectFromDeletion());
    }

    /** A shared hold on the store; see {@link #lease()}. */
    public static final class Lease implements AutoCloseable {
        private final StoreLock.Hold hold;

        private Lease(StoreLock.Hold hold) {
            this.hold = hold;
        }

        @Override
        public void close() {
            hold.close();
        }
    }

    // ---------------------------------------------------------------- blobs

    public Path blobPath(BlobDigest digest) {
        return blobs.blobPath(digest);
    }

    public boolean hasBlob(BlobDigest digest) {
        return blobs.hasBlob(digest);
    }

    /** Opens a stored blob for reading. */
    public InputStream openBlob(BlobDigest digest) throws StoreException {
        return blobs.openBlob(digest);
    }

    /**
     * Starts writing a blob. Bytes are hashed as they are written into {@code tmp/}; {@link
     * BlobWriter#commit()} checks digest and size, fsyncs and moves the file into place.
     *
     * @param expectedSize the size the manifest declares, or -1 if unknown
     */
    public BlobWriter newBlobWriter(BlobDigest expected, long expectedSize) throws StoreException {
        return blobs.newBlobWriter(expected, expectedSize);
    }

    /** Stores a whole stream as a blob; see {@link #newBlobWriter}. */
    public Path putBlob(BlobDigest expected, long expectedSize, InputStream in) throws StoreException {
        return blobs.putBlob(expected, expectedSize, in);
    }

    /**
     * Stores a file that already lies in this store's {@code tmp/} (e.g. spooled there from an
     * archive by {@code jrun load}) as a blob without copying it: hashes it, checks digest and
     * size, and hard-links it into place. The file itself stays; its owner removes it. Files
     * elsewhere are refused: a link to them would tie the store to someone else's file.
     */
    public Path linkBlob(BlobDigest expected, long expectedSize, Path file) throws StoreException {
        return blobs.linkBlob(expected, expectedSize, file);
    }

    // ---------------------------------------------------------------- layers

    /** {@code layers/<alg>/<hex>}: holds {@code diff/} (the overlay lowerdir) and {@code layer.json}. */
    public Path layerDir(DiffId diffId) {
        return layers.layerDir(diffId);
    }

    /** The directory to give overlayfs as a lowerdir. */
    public Path layerDiffDir(DiffId diffId) {
        return layers.layerDiffDir(diffId);
    }

    /** True once a layer is committed (its directory exists only after the commit rename). */
    public boolean hasLayer(DiffId diffId) {
        return layers.hasLayer(diffId);
    }

    public LayerMetadata layerMetadata(DiffId diffId) throws StoreException {
        return layers.layerMetadata(diffId);
    }

    /**
     * Starts unpacking a layer into a private temporary directory ({@code tmp/layer-...}, mode
     * 0700). Write the content into {@link LayerTransaction#diffDir()}, then {@link
     * LayerTransaction#commit}; closing without a commit discards it.
     */
    public LayerTransaction beginLayer(DiffId expected) throws StoreException {
        return layers.beginLayer(expected);
    }

    // ---------------------------------------------------------------- images

    /**
     * Records an image. Its blobs (config, and manifest when given) and unpacked layers must
     * be in the store already. Names it carries are taken away from any other image (which
     * becomes dangling if it has no names left), as {@code podman pull} does on a new tag.
     */
    public ImageRecord putImage(ImageRecord image) throws StoreException {
        return images.putImage(image);
    }

    /** All image records, in no particular order. */
    public List<ImageRecord> images() throws StoreException {
        return images.images();
    }

    /**
     * Finds an image by exact name, by full ID (with or without "sha256:"), or by a unique ID
     * prefix of at least 3 hex digits. An ambiguous prefix is an error listing the candidates.
     */
    public Optional<ImageRecord> findImage(String reference) throws StoreException {
        return images.findImage(reference);
    }

    // ---------------------------------------------------------------- deletion

    /**
     * {@code rmi}: removes a name, or the whole image, then deletes the layers and blobs no
     * other image or container uses. By a name while the image has other names: only that name
     * goes. By ID while it has several names, or while a container uses it: refused unless
     * {@code force}; forcing keeps whatever a container still needs.
     */
    public RemovalReport removeImage(String reference, boolean force) throws StoreException {
        return garbageCollector.removeImage(reference, force);
    }

    /**
     * {@code image prune}: removes dangling images (no names) that no container uses, then every
     * layer and blob that no image or container refers to, and stale temporary files.
     */
    public RemovalReport prune() throws StoreException {
        return garbageCollector.prune();
    }

    /** Leftovers of killed jrun processes that could not be removed; for the CLI to print once. */
    public List<String> cleanupWarnings() {
        return temporaries.cleanupWarnings();
    }

    // ---------------------------------------------------------------- containers

    /** The containers' part of the store: records, runtime state, logs, removal. */
    public ContainerStore containers() {
        return containers;
    }
}
