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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
            store.putBlob(configDigest, configBytes.length, new ByteArrayInputStream(configBytes));
            ImageConfig config = ImageConfig.parse(configBytes, name);
            List<Descriptor> layers = image.manifest().layers();
            if (config.diffIds().size() != layers.size()) {
                throw new JrunException("pull " + name + ": the manifest lists " + layers.size()
                        + " layers but the image config " + config.diffIds().size()
                        + " diffIDs; the image is malformed and was not stored");
            }
            List<LayerRef> refs = fetchLayers(client, repo, name, layers, config.diffIds());

            byte[] manifestBytes = image.imageBytes().bytes();
            BlobDigest manifestDigest = new BlobDigest(image.manifest().digest());
            store.putBlob(manifestDigest, manifestBytes.length, new ByteArrayInputStream(manifestBytes));
            Platform stored = new Platform(config.os().isEmpty() ? platform.os() : config.os(),
                    config.architecture().isEmpty() ? platform.architecture() : config.architecture(),
                    platform.variant());
            ImageRecord record = store.putImage(new ImageRecord(List.of(name), manifestDigest, configDigest, refs, stored,
                    config.created(), Instant.now().toString()));
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
