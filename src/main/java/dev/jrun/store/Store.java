package dev.jrun.store;

import dev.jrun.oci.Digest;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * jrun's on-disk image store; see {@code package-info.java} for the layout and the rules that
 * keep it consistent when processes are killed or run concurrently.
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
// Lock holds are try-with-resources whose variable is unused by design.
@SuppressWarnings("try")
public final class Store {

    /** Temporary files of dead processes, or older than this, are removed by the next store opening. */
    static final Duration STALE_TEMP_AGE = Duration.ofHours(24);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Remover remover;
    private final ObjectMapper json;
    private final StoreLock mutationLock;
    private final StoreLock gcLock;
    private final ContainerStore containers = new ContainerStore(this);
    private final List<String> cleanupWarnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Store(Path root, Remover remover) {
        this.root = root;
        this.remover = remover;
        this.json = new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.mutationLock = StoreLock.of(root.resolve("lock"));
        this.gcLock = StoreLock.of(root.resolve("gc.lock"));
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
        store.removeStaleTemporaries();
        return store;
    }

    public Path root() {
        return root;
    }

    Remover remover() {
        return remover;
    }

    ObjectMapper json() {
        return json;
    }

    // ---------------------------------------------------------------- leases and locks

    /**
     * Protects everything this process stores from deletion until closed. Hold one across a pull,
     * from the first {@link #hasBlob}/{@link #hasLayer} check to {@link #putImage}.
     */
    public Lease lease() throws StoreException {
        return new Lease(take(gcLock::shared, "gc.lock"));
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

    StoreLock.Hold lockMutations() throws StoreException {
        return take(mutationLock::exclusive, "lock");
    }

    private StoreLock.Hold lockForDeletion() throws StoreException {
        return take(gcLock::exclusive, "gc.lock");
    }

    private interface Acquire {
        StoreLock.Hold acquire() throws IOException;
    }

    private StoreLock.Hold take(Acquire acquire, String lockFile) throws StoreException {
        try {
            return acquire.acquire();
        } catch (IOException e) {
            throw new StoreException("cannot lock the image store " + root + " (" + lockFile + "): " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- blobs

    public Path blobPath(BlobDigest digest) {
        return digestEntry(root.resolve("blobs"), digest.digest());
    }

    public boolean hasBlob(BlobDigest digest) {
        return Files.isRegularFile(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /** Opens a stored blob for reading. */
    public InputStream openBlob(BlobDigest digest) throws StoreException {
        try {
            return Files.newInputStream(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new StoreException("blob " + digest + " is not in the store " + root + "; pull the image again");
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + " from " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts writing a blob. Bytes are hashed as they are written into {@code tmp/}; {@link
     * BlobWriter#commit()} checks digest and size, fsyncs and moves the file into place.
     *
     * @param expectedSize the size the manifest declares, or -1 if unknown
     */
    public BlobWriter newBlobWriter(BlobDigest expected, long expectedSize) throws StoreException {
        Path temp = newTempPath("blob");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new BlobWriter(this, expected, expectedSize, temp, channel);
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary file in " + root.resolve("tmp") + " for blob "
                    + expected + ": " + e.getMessage() + "; check free space and permissions of the store", e);
        }
    }

    /** Stores a whole stream as a blob; see {@link #newBlobWriter}. */
    public Path putBlob(BlobDigest expected, long expectedSize, InputStream in) throws StoreException {
        try (BlobWriter writer = newBlobWriter(expected, expectedSize)) {
            try {
                in.transferTo(writer);
            } catch (IOException e) {
                throw new StoreException("storing blob " + expected + " failed while reading it: " + e.getMessage(), e);
            }
            return writer.commit();
        }
    }

    /**
     * Stores a file that already lies in this store's {@code tmp/} (e.g. spooled there from an
     * archive by {@code jrun load}) as a blob without copying it: hashes it, checks digest and
     * size, and hard-links it into place. The file itself stays; its owner removes it. Files
     * elsewhere are refused: a link to them would tie the store to someone else's file.
     */
    public Path linkBlob(BlobDigest expected, long expectedSize, Path file) throws StoreException {
        Path abs = file.toAbsolutePath().normalize();
        if (!abs.startsWith(root.resolve("tmp")) || !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("linkBlob takes a regular file in " + root.resolve("tmp") + ", not " + abs);
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
            fsyncDirectory(target.getParent());
        } catch (FileAlreadyExistsException e) {
            // Same digest, same content: keep the existing one.
        }
        return target;
    }

    // ---------------------------------------------------------------- layers

    /** {@code layers/<alg>/<hex>}: holds {@code diff/} (the overlay lowerdir) and {@code layer.json}. */
    public Path layerDir(DiffId diffId) {
        return digestEntry(root.resolve("layers"), diffId.digest());
    }

    /** The directory to give overlayfs as a lowerdir. */
    public Path layerDiffDir(DiffId diffId) {
        return layerDir(diffId).resolve("diff");
    }

    /** True once a layer is committed (its directory exists only after the commit rename). */
    public boolean hasLayer(DiffId diffId) {
        return Files.isRegularFile(layerDir(diffId).resolve("layer.json"), LinkOption.NOFOLLOW_LINKS);
    }

    public LayerMetadata layerMetadata(DiffId diffId) throws StoreException {
        return readJson(layerDir(diffId).resolve("layer.json"), LayerMetadata.class, "layer " + diffId);
    }

    /**
     * Starts unpacking a layer into a private temporary directory ({@code tmp/layer-...}, mode
     * 0700). Write the content into {@link LayerTransaction#diffDir()}, then {@link
     * LayerTransaction#commit}; closing without a commit discards it.
     */
    public LayerTransaction beginLayer(DiffId expected) throws StoreException {
        Path temp = newTempPath("layer");
        try {
            Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(temp.resolve("diff"));
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary directory in " + root.resolve("tmp") + " for layer "
                    + expected + ": " + e.getMessage(), e);
        }
        return new LayerTransaction(expected, temp);
    }

    /** A layer being unpacked; see {@link #beginLayer}. */
    public final class LayerTransaction implements AutoCloseable {
        private final DiffId diffId;
        private final Path dir;
        private boolean done;

        private LayerTransaction(DiffId diffId, Path dir) {
            this.diffId = diffId;
            this.dir = dir;
        }

        public DiffId diffId() {
            return diffId;
        }

        /** The temporary layer directory; files other than {@code diff/} travel with the commit (e.g. ownership.json). */
        public Path dir() {
            return dir;
        }

        /** Unpack the layer's content here. */
        public Path diffDir() {
            return dir.resolve("diff");
        }

        /**
         * Writes {@code layer.json} and renames the directory into place: the rename is the
         * commit point, so no one ever sees a half-unpacked layer. If another process committed
         * the same layer meanwhile, that one is kept and this copy discarded.
         *
         * @return the committed layer's {@code diff} directory
         */
        public Path commit(LayerMetadata metadata) throws StoreException {
            if (done) {
                throw new IllegalStateException("layer transaction already finished");
            }
            if (!metadata.diffId().equals(diffId)) {
                throw new StoreException("refusing to store layer " + diffId + ": its content has diffID "
                        + metadata.diffId() + "; the image is corrupt or was tampered with");
            }
            Path target = layerDir(diffId);
            try (StoreLock.Hold ignored = lockMutations()) {
                writeJsonAtomically(dir.resolve("layer.json"), metadata);
                if (hasLayer(diffId)) {
                    discard();
                    return layerDiffDir(diffId);
                }
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    // A directory without layer.json cannot come from a commit; remove the debris.
                    remover.removeTree(target);
                }
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
                fsyncDirectory(target.getParent());
                done = true;
                return layerDiffDir(diffId);
            } catch (IOException e) {
                throw new StoreException("cannot commit layer " + diffId + " into " + target + ": " + e.getMessage(), e);
            }
        }

        private void discard() throws IOException {
            done = true;
            remover.removeTree(dir);
        }

        /** Discards the temporary directory unless committed. */
        @Override
        public void close() throws StoreException {
            if (!done) {
                try {
                    discard();
                } catch (IOException e) {
                    throw new StoreException("cannot remove the unfinished layer " + dir + ": " + e.getMessage()
                            + "; it is removed the next time jrun opens the store", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- images

    private Path imageFile(String id) {
        return root.resolve("images").resolve(id + ".json");
    }

    /**
     * Records an image. Its blobs (config, and manifest when given) and unpacked layers must
     * be in the store already. Names it carries are taken away from any other image (which
     * becomes dangling if it has no names left), as {@code podman pull} does on a new tag.
     */
    public ImageRecord putImage(ImageRecord image) throws StoreException {
        try (StoreLock.Hold ignored = lockMutations()) {
            for (LayerRef layer : image.layers()) {
                if (!hasLayer(layer.diffId())) {
                    throw new StoreException("cannot record image " + image.id() + ": its layer " + layer.diffId()
                            + " is not unpacked in the store; pull the image again");
                }
            }
            if (!hasBlob(image.configDigest())) {
                throw new StoreException("cannot record image " + image.id() + ": its config blob "
                        + image.configDigest() + " is not in the store; pull the image again");
            }
            if (image.manifestDigest() != null && !hasBlob(image.manifestDigest())) {
                throw new StoreException("cannot record image " + image.id() + ": its manifest blob "
                        + image.manifestDigest() + " is not in the store; pull the image again");
            }
            for (ImageRecord other : images()) {
                if (other.id().equals(image.id())) {
                    continue;
                }
                List<String> kept = new ArrayList<>(other.names());
                if (kept.removeAll(image.names())) {
                    writeJsonAtomically(imageFile(other.id()), other.withNames(kept));
                }
            }
            Set<String> names = new LinkedHashSet<>(image.names());
            Optional<ImageRecord> existing = readImage(image.id());
            existing.ifPresent(e -> names.addAll(e.names()));
            ImageRecord stored = image.withNames(List.copyOf(names))
                    .withStored(existing.map(ImageRecord::stored).orElse(Instant.now().toString()));
            writeJsonAtomically(imageFile(image.id()), stored);
            return stored;
        } catch (IOException e) {
            throw new StoreException("cannot record image " + image.id() + " in " + root + ": " + e.getMessage(), e);
        }
    }

    /** All image records, in no particular order. */
    public List<ImageRecord> images() throws StoreException {
        List<ImageRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root.resolve("images"), "*.json")) {
            for (Path p : dir) {
                String id = p.getFileName().toString().replaceFirst("\\.json$", "");
                readImage(id).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new StoreException("cannot list images in " + root.resolve("images") + ": " + e.getMessage(), e);
        }
        return out;
    }

    private Optional<ImageRecord> readImage(String id) throws StoreException {
        Path file = imageFile(id);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(readJson(file, ImageRecord.class, "image " + id));
    }

    /**
     * Finds an image by exact name, by full ID (with or without "sha256:"), or by a unique ID
     * prefix of at least 3 hex digits. An ambiguous prefix is an error listing the candidates.
     */
    public Optional<ImageRecord> findImage(String reference) throws StoreException {
        List<ImageRecord> all = images();
        for (ImageRecord image : all) {
            if (image.names().contains(reference)) {
                return Optional.of(image);
            }
        }
        String prefix = reference.startsWith("sha256:") ? reference.substring("sha256:".length()) : reference;
        if (prefix.length() < 3 || !prefix.matches("[0-9a-f]+")) {
            return Optional.empty();
        }
        List<ImageRecord> matches = new ArrayList<>();
        for (ImageRecord image : all) {
            if (image.id().startsWith(prefix)) {
                matches.add(image);
            }
        }
        if (matches.size() > 1) {
            List<String> ids = new ArrayList<>();
            matches.forEach(m -> ids.add(m.configDigest().digest().shortHex()));
            throw new StoreException("image ID prefix \"" + prefix + "\" is ambiguous: it matches " + ids
                    + "; give more digits");
        }
        return matches.stream().findFirst();
    }

    /**
     * {@code rmi}: removes a name, or the whole image, then deletes the layers and blobs no
     * other image or container uses. By a name while the image has other names: only that name
     * goes. By ID while it has several names, or while a container uses it: refused unless
     * {@code force}; forcing keeps whatever a container still needs.
     */
    public RemovalReport removeImage(String reference, boolean force) throws StoreException {
        try (StoreLock.Hold gc = lockForDeletion(); StoreLock.Hold ignored = lockMutations()) {
            ImageRecord image = findImage(reference).orElseThrow(() -> new StoreException("image \"" + reference
                    + "\" is not in the store " + root + "; see `jrun images`"));
            if (image.names().contains(reference) && image.names().size() > 1) {
                List<String> kept = new ArrayList<>(image.names());
                kept.remove(reference);
                writeJsonAtomically(imageFile(image.id()), image.withNames(kept));
                return new RemovalReport(List.of(), List.of(reference), List.of(), List.of());
            }
            if (!force && image.names().size() > 1) {
                throw new StoreException("image " + image.configDigest().digest().shortHex() + " has several names "
                        + image.names() + ": remove them one by one or use --force");
            }
            List<String> users = new ArrayList<>();
            for (ContainerRecord c : containers.records()) {
                if (c.imageId().equals(image.id())) {
                    users.add(c.id());
                }
            }
            if (!force && !users.isEmpty()) {
                throw new StoreException("image " + image.configDigest().digest().shortHex() + " is used by container(s) "
                        + users + ": remove them first (jrun rm -f NAME), or use --force");
            }
            Files.deleteIfExists(imageFile(image.id()));
            List<DiffId> candidateLayers = new ArrayList<>();
            List<BlobDigest> candidateBlobs = new ArrayList<>();
            addReferences(image, candidateLayers, candidateBlobs);
            return collectGarbage(List.of(image.id()), candidateLayers, candidateBlobs);
        } catch (IOException e) {
            throw new StoreException("cannot remove image \"" + reference + "\" from " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code image prune}: removes dangling images (no names) that no container uses, then every
     * layer and blob that no image or container refers to, and stale temporary files.
     */
    public RemovalReport prune() throws StoreException {
        try (StoreLock.Hold gc = lockForDeletion(); StoreLock.Hold ignored = lockMutations()) {
            Set<String> inUse = new HashSet<>();
            for (ContainerRecord c : containers.records()) {
                inUse.add(c.imageId());
            }
            List<String> removed = new ArrayList<>();
            for (ImageRecord image : images()) {
                if (image.names().isEmpty() && !inUse.contains(image.id())) {
                    Files.deleteIfExists(imageFile(image.id()));
                    removed.add(image.id());
                }
            }
            removeStaleTemporaries();
            return collectGarbage(removed, allLayers(), allBlobs());
        } catch (IOException e) {
            throw new StoreException("cannot prune the store " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes layers and blobs nobody refers to. The references are derived from the image and
     * container records every time rather than counted, so a crash cannot leave a wrong count.
     * Only {@code candidate} layers and blobs are considered.
     */
    private RemovalReport collectGarbage(List<String> removedImages, List<DiffId> candidateLayers,
                                         List<BlobDigest> candidateBlobs) throws IOException, StoreException {
        Set<DiffId> usedLayers = new HashSet<>();
        Set<BlobDigest> usedBlobs = new HashSet<>();
        for (ImageRecord image : images()) {
            addReferences(image, usedLayers, usedBlobs);
        }
        for (ContainerRecord c : containers.records()) {
            usedLayers.addAll(c.layers());
        }
        List<DiffId> layers = new ArrayList<>();
        List<BlobDigest> blobs = new ArrayList<>();
        for (DiffId layer : new LinkedHashSet<>(candidateLayers)) {
            if (!usedLayers.contains(layer) && Files.exists(layerDir(layer), LinkOption.NOFOLLOW_LINKS)) {
                layers.add(layer);
            }
        }
        for (BlobDigest blob : new LinkedHashSet<>(candidateBlobs)) {
            if (!usedBlobs.contains(blob) && Files.exists(blobPath(blob), LinkOption.NOFOLLOW_LINKS)) {
                blobs.add(blob);
            }
        }
        for (DiffId layer : layers) {
            // Rename out of the way first: a half-deleted layer must never look committed.
            Path doomed = newTempPath("removed");
            Files.move(layerDir(layer), doomed, StandardCopyOption.ATOMIC_MOVE);
            remover.removeTree(doomed);
        }
        for (BlobDigest blob : blobs) {
            Files.deleteIfExists(blobPath(blob));
        }
        return new RemovalReport(removedImages, List.of(), layers, blobs);
    }

    /** What an image refers to: its config and manifest blobs, and each layer's diffID and blob. */
    private static void addReferences(ImageRecord image, Collection<DiffId> layerRefs, Collection<BlobDigest> blobRefs) {
        blobRefs.add(image.configDigest());
        if (image.manifestDigest() != null) {
            blobRefs.add(image.manifestDigest());
        }
        for (LayerRef layer : image.layers()) {
            layerRefs.add(layer.diffId());
            blobRefs.add(layer.digest());
        }
    }

    private List<DiffId> allLayers() throws IOException {
        return digestsIn(root.resolve("layers"), DiffId::new);
    }

    private List<BlobDigest> allBlobs() throws IOException {
        return digestsIn(root.resolve("blobs"), BlobDigest::new);
    }

    /** {@code blobs/} and {@code layers/} are keyed by digest: {@code <alg>/<hex>}. */
    private static Path digestEntry(Path dir, Digest digest) {
        return dir.resolve(digest.algorithm().prefix()).resolve(digest.hex());
    }

    /** Every entry of such a directory whose name is a digest, wrapped as {@code T}; other names are left alone. */
    private static <T> List<T> digestsIn(Path dir, Function<Digest, T> wrap) throws IOException {
        List<T> out = new ArrayList<>();
        for (Digest.Algorithm alg : Digest.Algorithm.values()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve(alg.prefix()))) {
                for (Path p : entries) {
                    try {
                        out.add(wrap.apply(Digest.of(alg, p.getFileName().toString())));
                    } catch (IllegalArgumentException e) {
                        // not ours; leave it
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- containers

    /** The containers' part of the store: records, runtime state, logs, removal. */
    public ContainerStore containers() {
        return containers;
    }

    // ---------------------------------------------------------------- temporaries

    /** {@code tmp/<kind>-<pid>-<random>}: the PID lets the next process tell a dead writer's file. */
    Path newTempPath(String kind) {
        return root.resolve("tmp").resolve(kind + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
    }

    /**
     * Removes temporary files and directories whose writer is dead (kill -9, power loss) or
     * that are older than {@link #STALE_TEMP_AGE}. Never used for anything: a blob or layer
     * becomes visible only by the link/rename at its commit.
     */
    void removeStaleTemporaries() throws StoreException {
        Path tmp = root.resolve("tmp");
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tmp)) {
            for (Path p : dir) {
                if (isStale(p, cutoff)) {
                    removeBestEffort(p);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot clean up temporary files in " + tmp + ": " + e.getMessage()
                    + "; remove them by hand if jrun is not running", e);
        }
        containers.removeDebris();
    }

    /**
     * Debris that cannot be removed must not make every later command fail: it is never
     * used, so note it for the user and go on.
     */
    void removeBestEffort(Path p) {
        try {
            remover.removeTree(p);
        } catch (IOException e) {
            cleanupWarnings.add("could not remove leftover " + p + ": " + e.getMessage());
        }
    }

    /** Leftovers of killed jrun processes that could not be removed; for the CLI to print once. */
    public List<String> cleanupWarnings() {
        return List.copyOf(cleanupWarnings);
    }

    private static boolean isStale(Path p, Instant cutoff) throws IOException {
        String[] parts = p.getFileName().toString().split("-");
        FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(cutoff)) {
            return true;
        }
        if (parts.length != 3) {
            return false; // not ours by name; only age removes it
        }
        try {
            long pid = Long.parseLong(parts[1]);
            if (pid == ProcessHandle.current().pid()) {
                return false; // another thread of this process is writing it
            }
            return ProcessHandle.of(pid).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- JSON, fsync

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
        Path temp = newTempPath("json");
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
