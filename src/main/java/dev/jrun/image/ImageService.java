package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.image.layer.LayerImporter;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;
import dev.jrun.registry.Descriptor;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RemoteRepository;
import dev.jrun.store.BlobWriter;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import dev.jrun.store.Store;
import dev.jrun.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pulls images into the store and finds them there. A pull resolves the reference through
 * registries.conf, verifies the manifest, the config and every layer (digest and size while
 * streaming, diffID while unpacking) and records the image only when all of it is in place.
 */
public final class ImageService {
    /** Layers downloaded and unpacked at once: enough to overlap network and disk on 2 cores. */
    private static final int PARALLEL_LAYERS = 3;

    /** What a pull needs of the network; made only when a pull happens (TLS and TOML cost start-up time). */
    public record Remote(RemoteImageResolver resolver, RegistryClient client) {}

    /** Makes the {@link Remote} on first use. */
    @FunctionalInterface
    public interface RemoteFactory {
        Remote create() throws JrunException;
    }

    private final Store store;
    private final RemoteFactory remoteFactory;
    private final LayerImporter importer;
    private final PullProgress progress;
    private Remote remote;

    public ImageService(Store store, RemoteFactory remote, LayerImporter importer, PullProgress progress) {
        this.store = store;
        this.remoteFactory = remote;
        this.importer = importer;
        this.progress = progress;
    }

    private synchronized Remote remote() throws JrunException {
        if (remote == null) remote = remoteFactory.create();
        return remote;
    }

    public Store store() {
        return store;
    }

    /** The image as stored, if the store has one of that name (or ID). */
    public Optional<ImageRecord> find(String nameOrId) throws JrunException {
        Optional<ImageRecord> byId = nameOrId.matches("[0-9a-f]{6,64}") ? store.findImage(nameOrId) : Optional.empty();
        if (byId.isPresent()) return byId;
        ImageReference ref;
        try {
            ref = ImageReference.parse(nameOrId);
        } catch (JrunException notAReference) {
            return store.findImage(nameOrId);
        }
        Optional<ImageRecord> found = store.findImage(ref.toString());
        if (found.isEmpty() && ref.isShortName()) {
            // As podman looks up short names locally: "busybox" also finds localhost/busybox:latest,
            // the name load and import give to images without a registry.
            found = store.findImage(ref.onDomain("localhost").toString());
        }
        return found;
    }

    /**
     * The stored image of that name only if it is of the platform asked for (any, when none is):
     * a run never uses an image of another platform than the one it asked for.
     */
    public Optional<ImageRecord> find(String nameOrId, Optional<Platform> asked) throws JrunException {
        Optional<ImageRecord> found = find(nameOrId);
        if (found.isEmpty() || asked.isEmpty()) return found;
        ImageRecord image = found.get();
        Platform have = image.platform();
        if (have == null) {
            ImageConfig config = config(image);
            have = new Platform(config.os(), config.architecture(), "");
        }
        return asked.get().distanceTo(have) >= 0 ? found : Optional.empty();
    }

    public ImageConfig config(ImageRecord image) throws JrunException {
        try (InputStream in = store.openBlob(image.configDigest())) {
            return ImageConfig.parse(in.readAllBytes(), image.names().isEmpty() ? image.id() : image.names().get(0));
        } catch (IOException e) {
            throw new StoreException("read the config of image " + image.id() + ": " + e.getMessage()
                    + "; remove the image (jrun rmi " + image.id().substring(0, 12) + ") and pull it again", e);
        }
    }

    public ImageRecord pull(ImageReference wanted, Platform platform) throws JrunException {
        RegistryClient client = remote().client();
        try (Store.Lease lease = store.lease()) {
            RemoteImageResolver.Found found = remote().resolver().resolve(wanted, platform);
            RemoteRepository repo = found.endpoint().repository();
            RegistryClient.ResolvedImage image = found.image();
            String name = found.reference().toString();
            progress.resolved(name, image.manifest().digest());

            Descriptor configDescriptor = image.manifest().config();
            byte[] configBytes = client.fetchSmallBlob(repo, configDescriptor);
            BlobDigest configDigest = new BlobDigest(configDescriptor.digest());
            ImageConfig config = ImageConfig.parse(configBytes, name);
            List<Descriptor> layers = image.manifest().layers();
            if (config.diffIds().size() != layers.size()) {
                throw new JrunException("pull " + name + ": the manifest lists " + layers.size()
                        + " layers but the image config " + config.diffIds().size()
                        + " diffIDs; the image is malformed and was not stored");
            }
            List<LayerRef> refs = fetchLayers(client, repo, name, layers, config.diffIds());

            Platform stored = new Platform(config.os().isEmpty() ? platform.os() : config.os(),
                    config.architecture().isEmpty() ? platform.architecture() : config.architecture(),
                    platform.variant());
            ImageRecord record = new ImageCommitter(store).commit(List.of(name), configBytes, configDigest,
                    image.imageBytes().bytes(), new BlobDigest(image.manifest().digest()), refs, stored, config.created(),
                    Instant.now().toString());
            progress.stored(name, record.id());
            return record;
        }
    }

    private List<LayerRef> fetchLayers(RegistryClient client, RemoteRepository repo, String name, List<Descriptor> layers,
                                       List<DiffId> diffIds) throws JrunException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_LAYERS, Math.max(1, layers.size())), r -> {
            Thread t = new Thread(r, "jrun-pull");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<LayerRef>> futures = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Descriptor layer = layers.get(i);
                DiffId diffId = diffIds.get(i);
                futures.add(pool.submit(() -> fetchLayer(client, repo, name, layer, diffId)));
            }
            List<LayerRef> refs = new ArrayList<>();
            for (Future<LayerRef> f : futures) refs.add(await(f));
            return refs;
        } finally {
            pool.shutdownNow();
        }
    }

    private LayerRef fetchLayer(RegistryClient client, RemoteRepository repo, String name, Descriptor layer, DiffId diffId)
            throws JrunException {
        BlobDigest digest = new BlobDigest(layer.digest());
        if (!store.hasBlob(digest) && !store.hasLayer(diffId)) {
            // The common cold pull: unpack while downloading, one pass over the bytes.
            progress.unpacking(layer.digest());
            new StreamingImport(client, repo, layer, digest, diffId).run();
            progress.layerDone(layer.digest(), "unpacked");
            return new LayerRef(digest, diffId, layer.size(), layer.mediaType());
        }
        if (!store.hasBlob(digest)) {
            download(client, repo, layer, digest);
        } else {
            progress.layerDone(layer.digest(), "already present");
        }
        if (!store.hasLayer(diffId)) {
            progress.unpacking(layer.digest());
            try (InputStream blob = store.openBlob(digest)) {
                importer.importLayer(blob, diffId, layer.mediaType());
            } catch (IOException e) {
                throw new StoreException("read layer " + digest + " of " + name + " from the store: " + e.getMessage(), e);
            }
            progress.layerDone(layer.digest(), "unpacked");
        }
        return new LayerRef(digest, diffId, layer.size(), layer.mediaType());
    }

    /** Streams a layer blob into the store; each retry starts over with a fresh temporary file. */
    private void download(RegistryClient client, RemoteRepository repo, Descriptor layer, BlobDigest digest)
            throws JrunException {
        BlobWriter[] current = new BlobWriter[1];
        try {
            client.fetchBlob(repo, layer, () -> {
                if (current[0] != null) current[0].close();
                try {
                    current[0] = store.newBlobWriter(digest, layer.size());
                } catch (StoreException e) {
                    throw new IOException(e.getMessage(), e);
                }
                return progress.counting(layer.digest(), layer.size(), current[0]);
            });
            current[0].commit();
        } finally {
            if (current[0] != null) current[0].close();
        }
    }

    /**
     * Downloads a layer blob into the store and unpacks it at the same time: the download
     * thread writes each chunk into the blob writer (hashing it) and into a bounded pipe that an
     * unpacking thread reads (inflating, hashing the diffID, writing files). The layer is
     * committed only after the blob's digest and size were verified (the {@link
     * LayerImporter.CommitGate}) and its diffID matched.
     *
     * <p>The registry client calls the sink again for each retry, and a retry must start from
     * empty: opening a new attempt first aborts the previous one (pipe failed, unpacker joined,
     * its temporary layer directory and the partial blob discarded).
     */
    private final class StreamingImport {
        /** Bytes between download and unpacker: a few reads of the network, bounded memory. */
        private static final int PIPE_BYTES = 4 * 1024 * 1024;

        private final RegistryClient client;
        private final RemoteRepository repo;
        private final Descriptor layer;
        private final BlobDigest digest;
        private final DiffId diffId;
        private Attempt current;

        StreamingImport(RegistryClient client, RemoteRepository repo, Descriptor layer, BlobDigest digest, DiffId diffId) {
            this.client = client;
            this.repo = repo;
            this.layer = layer;
            this.digest = digest;
            this.diffId = diffId;
        }

        void run() throws JrunException {
            try {
                client.fetchBlob(repo, layer, () -> {
                    if (current != null) current.abort(new IOException("the download attempt failed; starting over"));
                    current = null;
                    try {
                        current = new Attempt(store.newBlobWriter(digest, layer.size()));
                    } catch (StoreException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                    return progress.counting(layer.digest(), layer.size(), current.sink());
                });
                Attempt done = current;
                done.pipe.finish();
                done.blob.commit();
                done.blobStored.complete(null);
                done.join();
            } catch (JrunException e) {
                throw failure(e);
            } catch (RuntimeException | Error e) {
                abort(e);
                throw e;
            }
        }

        /** Aborts the attempt; an unpacker that failed first is the cause to report, not its echo. */
        private JrunException failure(JrunException e) {
            Attempt a = current;
            if (a == null) return e;
            Throwable first = a.pipe.failure();
            Throwable unpack = a.abort(e);
            if (first != null && first == unpack) {
                if (unpack instanceof JrunException j) return j;
                return new JrunException("pull: unpacking layer " + shortDigest(layer.digest()) + " failed: " + unpack, unpack);
            }
            return e;
        }

        private void abort(Throwable why) {
            if (current != null) current.abort(why);
        }

        /** One download attempt: its blob writer, its pipe and the thread unpacking from it. */
        private final class Attempt {
            final BlobWriter blob;
            final BoundedPipe pipe = new BoundedPipe(PIPE_BYTES);
            final java.util.concurrent.CompletableFuture<Void> blobStored = new java.util.concurrent.CompletableFuture<>();
            final java.util.concurrent.CompletableFuture<java.nio.file.Path> unpacked =
                    new java.util.concurrent.CompletableFuture<>();
            final Thread thread;

            Attempt(BlobWriter blob) {
                this.blob = blob;
                this.thread = new Thread(this::unpack, "jrun-unpack");
                thread.setDaemon(true);
                thread.start();
            }

            private void unpack() {
                // Not try-with-resources: closing the source first would record "stopped
                // reading" as the pipe's failure instead of the real cause.
                InputStream in = pipe.source();
                try {
                    unpacked.complete(importer.importLayer(in, diffId, layer.mediaType(), () -> {
                        try {
                            // The writer must never wait on a full pipe while we wait for it.
                            in.transferTo(OutputStream.nullOutputStream());
                            blobStored.get();
                        } catch (IOException e) {
                            throw new JrunException("pull: reading layer " + shortDigest(layer.digest()) + ": "
                                    + e.getMessage(), e);
                        } catch (ExecutionException e) {
                            throw new JrunException("pull: layer " + shortDigest(layer.digest())
                                    + " not committed: its blob was not stored: " + e.getCause().getMessage(), e.getCause());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new JrunException("pull interrupted", e);
                        }
                    }));
                } catch (Throwable t) {
                    pipe.fail(t);
                    unpacked.completeExceptionally(t);
                }
            }

            /** Download side: every chunk into the pipe (for the unpacker) and the blob file. */
            OutputStream sink() {
                OutputStream toPipe = pipe.sink();
                return new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        toPipe.write(b, off, len);
                        blob.write(b, off, len);
                    }
                };
            }

            /** Waits for the unpacker and returns its result, or throws what it failed with. */
            void join() throws JrunException {
                try {
                    unpacked.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof JrunException j) throw j;
                    throw new JrunException("pull: unpacking layer " + shortDigest(layer.digest()) + " failed: " + cause, cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    abort(e);
                    throw new JrunException("pull interrupted", e);
                }
            }

            /**
             * Stops this attempt and waits until its unpacker has discarded its temporary layer;
             * deletes the partial blob. Returns what the unpacker failed with, if anything.
             */
            Throwable abort(Throwable why) {
                pipe.fail(why);
                blobStored.completeExceptionally(why);
                boolean interrupted = false;
                while (true) {
                    try {
                        thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the unpacker must be gone before a retry or the caller goes on
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
                blob.close();
                try {
                    unpacked.getNow(null);
                    return null;
                } catch (java.util.concurrent.CompletionException e) {
                    return e.getCause();
                }
            }
        }
    }

    private static LayerRef await(Future<LayerRef> f) throws JrunException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JrunException j) throw j;
            throw new JrunException("pull failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunException("pull interrupted", e);
        }
    }

    static String shortDigest(Digest d) {
        return d.hex().substring(0, 12);
    }
}
