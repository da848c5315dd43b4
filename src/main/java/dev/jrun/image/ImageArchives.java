package dev.jrun.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerOrigin;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;
import dev.jrun.registry.MediaTypes;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import dev.jrun.store.Store;
import dev.jrun.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code jrun load}, {@code jrun save} and {@code jrun import}: images in and out of the store
 * as files. The formats are read by {@link DockerArchive} and {@link OciLayout} (from a
 * {@link SpooledTar} or a {@link LayoutDirectory}) and written by {@link ArchiveWriter}.
 *
 * <p>Loading checks everything it can before storing anything (digests, sizes, layer counts,
 * the diffIDs of uncompressed layers); then each layer is unpacked with the same hostile-layer
 * rules as a pull (its diffID verified while unpacking), its blob stored, and the image
 * recorded last. A failure leaves no image record; layers or blobs stored before it are
 * unreferenced and go with the next {@code jrun image prune}.
 *
 * <p>Names are normalized as podman's libimage does ({@code NormalizeName}): a name without a
 * registry gets {@code localhost/} (not {@code docker.io/library/}), a name without a tag
 * gets {@code :latest}. So {@code RepoTags ["busybox:latest"]} loads as
 * {@code localhost/busybox:latest}, exactly as {@code podman load} shows it.
 */
public final class ImageArchives {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final LayerImporter importer;
    private final ArchiveLimits limits;

    public ImageArchives(Store store, LayerImporter importer, ArchiveLimits limits) {
        this.store = store;
        this.importer = importer;
        this.limits = limits;
    }

    /** What one load stored: the records, and the lines {@code podman load} prints for them. */
    public record Loaded(List<ImageRecord> images, List<String> loadedNames) {
    }

    /**
     * The name podman records for a name found in an archive: {@code busybox} is
     * {@code localhost/busybox:latest}, {@code quay.io/x/y:1} stays.
     */
    public static String localName(String raw, String what) throws JrunException {
        ImageReference ref;
        try {
            ref = ImageReference.parse(raw);
        } catch (JrunException e) {
            throw new JrunException(what + ": \"" + ArchivePaths.shorten(raw) + "\" is not a valid image name: "
                    + e.getMessage());
        }
        return ref.isShortName() ? ref.onDomain("localhost").toString() : ref.toString();
    }

    // ------------------------------------------------------------------ load

    /** Loads a tar archive (docker-archive or OCI archive, maybe gzip-compressed) from a stream. */
    public Loaded load(InputStream archive, String source) throws JrunException {
        try (Store.Lease lease = store.lease();
             SpooledTar files = SpooledTar.spool(archive, store.root().resolve("tmp"), limits, source)) {
            return store(read(files));
        }
    }

    /** Loads an OCI layout directory. */
    public Loaded loadDirectory(Path dir) throws JrunException {
        try (Store.Lease lease = store.lease(); LayoutDirectory files = new LayoutDirectory(dir)) {
            return store(read(files));
        }
    }

    /**
     * Which format: a docker-archive has manifest.json (Docker 25+ writes an OCI layout too,
     * and manifest.json beside it: its RepoTags are what {@code docker load} uses, so they
     * win); an OCI layout has oci-layout and index.json.
     */
    List<ArchiveImage> read(ArchiveFiles files) throws JrunException {
        if (files.has(DockerArchive.MANIFEST)) {
            return DockerArchive.read(files, limits);
        }
        if (files.has(OciLayout.LAYOUT) || files.has(OciLayout.INDEX)) {
            return OciLayout.read(files, limits, Platform.host());
        }
        if (files.has("repositories")) {
            throw new JrunException("load " + files.source() + ": it is a docker-archive of the old format without"
                    + " manifest.json (Docker before 1.10); load it into a current Docker and save it again");
        }
        throw new JrunException("load " + files.source() + ": it is not an image archive: it has neither manifest.json"
                + " (docker-archive) nor oci-layout and index.json (OCI layout); give a file written by docker save,"
                + " podman save or jrun save");
    }

    private Loaded store(List<ArchiveImage> images) throws JrunException {
        List<ImageRecord> records = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (ArchiveImage image : images) {
            ImageRecord record = store(image);
            records.add(record);
            if (image.names().isEmpty()) {
                lines.add("sha256:" + record.id());
            } else {
                lines.addAll(image.names());
            }
        }
        return new Loaded(records, lines);
    }

    private ImageRecord store(ArchiveImage image) throws JrunException {
        // Every layer is unpacked and verified before any is committed or any blob goes into
        // the store, so a refused layer leaves the store as it was.
        List<LayerImporter.Prepared> prepared = new ArrayList<>();
        try {
            prepareLayers(image, prepared);
            for (LayerImporter.Prepared layer : prepared) {
                layer.commit();
            }
        } finally {
            for (LayerImporter.Prepared layer : prepared) {
                layer.close();
            }
        }
        return storeBlobsAndRecord(image);
    }

    private void prepareLayers(ArchiveImage image, List<LayerImporter.Prepared> prepared) throws JrunException {
        java.util.Set<DiffId> seen = new java.util.HashSet<>();
        for (ArchiveImage.Layer layer : image.layers()) {
            if (!store.hasLayer(layer.diffId())) {
                if (!seen.add(layer.diffId())) {
                    continue; // the same layer twice in one image: unpacked once
                }
                try (InputStream in = layer.file().open()) {
                    prepared.add(importer.prepare(in, layer.diffId(), layer.mediaType(),
                            LayerOrigin.archive(image.what())));
                } catch (IOException e) {
                    throw new JrunException(image.what() + ": cannot read layer " + layer.file().name() + ": "
                            + e.getMessage(), e);
                }
            } else if (!layer.digest().digest().equals(layer.diffId().digest())) {
                // The store has this diffID's content already, but this blob must really be it:
                // otherwise the image would pair the diffID with a foreign blob, and a later save
                // would export something else than the image's layer. (A blob whose digest is the
                // diffID is an uncompressed tar verified by that very digest.)
                verifyDiffId(layer, image.what());
            }
        }
    }

    private ImageRecord storeBlobsAndRecord(ArchiveImage image) throws JrunException {
        List<LayerRef> refs = new ArrayList<>();
        for (ArchiveImage.Layer layer : image.layers()) {
            Path spooled = layer.file().path().toAbsolutePath().normalize();
            if (spooled.startsWith(store.root().resolve("tmp"))) {
                store.linkBlob(layer.digest(), layer.file().size(), spooled); // no second copy of the layer
            } else try (InputStream in = layer.file().open()) {
                store.putBlob(layer.digest(), layer.file().size(), in);
            } catch (IOException e) {
                throw new JrunException(image.what() + ": cannot read layer " + layer.file().name() + ": "
                        + e.getMessage(), e);
            }
            refs.add(new LayerRef(layer.digest(), layer.diffId(), layer.file().size(), layer.mediaType()));
        }
        return new ImageCommitter(store).commit(image.names(), image.config(), image.configDigest(), image.manifest(),
                image.manifestDigest(), refs, platform(image.parsedConfig()), image.parsedConfig().created(),
                Instant.now().toString());
    }

    private static void verifyDiffId(ArchiveImage.Layer layer, String what) throws JrunException {
        try (InputStream in = ArchiveStreams.decompressed(layer.file().open(), what)) {
            java.security.MessageDigest md = layer.diffId().digest().newHasher();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            if (!layer.diffId().digest().matches(md)) {
                throw new JrunException(what + ": layer " + layer.digest() + " does not uncompress to its diffID "
                        + layer.diffId() + "; the archive is corrupt or was tampered with, and the image was not loaded");
            }
        } catch (IOException e) {
            throw new JrunException(what + ": cannot read layer " + layer.file().name() + ": " + e.getMessage(), e);
        }
    }

    static Platform platform(ImageConfig config) {
        Platform host = Platform.host();
        String os = config.os().isEmpty() ? host.os() : config.os();
        String arch = config.architecture().isEmpty() ? host.architecture() : config.architecture();
        return new Platform(os, arch, arch.equals(host.architecture()) ? host.variant() : "");
    }

    /** An OCI image manifest for a config and layers (for images that came without one). */
    static byte[] manifest(BlobDigest config, long configSize, List<LayerRef> layers) throws JrunException {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", config.toString())
                .put("size", configSize);
        ArrayNode array = m.putArray("layers");
        for (LayerRef layer : layers) {
            array.addObject().put("mediaType", ociLayerType(layer.mediaType())).put("digest", layer.digest().toString())
                    .put("size", layer.size());
        }
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new JrunException("write an image manifest: " + e.getMessage(), e);
        }
    }

    /** The OCI spelling of a layer media type (Docker's gzip layer is the same bytes). */
    static String ociLayerType(String mediaType) {
        if (mediaType == null || mediaType.equals(MediaTypes.DOCKER_LAYER_GZIP)) {
            return MediaTypes.OCI_LAYER_GZIP;
        }
        if (mediaType.equals("application/vnd.docker.image.rootfs.diff.tar")) {
            return MediaTypes.OCI_LAYER_TAR;
        }
        return mediaType;
    }

    // ------------------------------------------------------------------ import

    /**
     * {@code jrun import}: a root filesystem tarball (plain or gzip) becomes a one-layer image.
     * The tar is hashed (its diffID) and gzip-compressed into the store's tmp/ in one pass, then
     * unpacked like any pulled layer (so a hostile tarball is refused the same way).
     *
     * @param name    the name to give it (normalized like {@link #localName}), or empty for a dangling image
     * @param changes {@code --change} instructions (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, STOPSIGNAL)
     */
    public ImageRecord importRootfs(InputStream tarball, String source, Optional<String> name, List<String> changes,
                                    String message) throws JrunException {
        List<String> names = new ArrayList<>();
        if (name.isPresent()) {
            names.add(localName(name.get(), "import"));
        }
        ObjectNode containerConfig = ConfigChanges.apply(changes);
        try (Store.Lease lease = store.lease()) {
            Path dir;
            try {
                dir = ArchiveStreams.privateTempDir(store.root().resolve("tmp"), "import");
            } catch (IOException e) {
                throw new StoreException("import " + source + ": cannot create a temporary directory in the store "
                        + store.root() + ": " + e.getMessage(), e);
            }
            try {
                Path blob = dir.resolve("layer.tar.gz");
                RootfsCompressor.Result layer = RootfsCompressor.compress(tarball, blob, limits, source);
                LayerRef ref = new LayerRef(layer.digest(), layer.diffId(), layer.size(), MediaTypes.OCI_LAYER_GZIP);
                if (!store.hasLayer(layer.diffId())) {
                    // Unpacked from the temporary file: a refused tarball leaves no blob behind.
                    try (InputStream in = Files.newInputStream(blob)) {
                        importer.importLayer(in, layer.diffId(), MediaTypes.OCI_LAYER_GZIP, LayerOrigin.archive(source));
                    } catch (IOException e) {
                        throw new StoreException("import " + source + ": " + e.getMessage(), e);
                    }
                }
                store.linkBlob(layer.digest(), layer.size(), blob);
                String created = Instant.now().toString();
                byte[] config = importConfig(layer.diffId(), containerConfig, created, source, message);
                BlobDigest configDigest = new BlobDigest(Digest.sha256(config));
                return new ImageCommitter(store).commit(names, config, configDigest, null, null, List.of(ref),
                        Platform.host(), created, created);
            } finally {
                ArchiveStreams.removeTree(dir);
            }
        }
    }

    /** The config podman import writes: the host platform, the changes, one diffID, one history entry. */
    private static byte[] importConfig(DiffId diffId, ObjectNode containerConfig, String created, String source,
                                       String message) throws JrunException {
        Platform host = Platform.host();
        ObjectNode c = JSON.createObjectNode();
        c.put("created", created);
        c.put("architecture", host.architecture());
        if (!host.variant().isEmpty()) {
            c.put("variant", host.variant());
        }
        c.put("os", host.os());
        c.set("config", containerConfig);
        c.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(diffId.toString());
        ObjectNode history = c.putArray("history").addObject();
        history.put("created", created);
        history.put("created_by", "/bin/sh -c #(nop) ADD file:" + diffId.digest().hex() + " in /");
        history.put("comment", message == null || message.isEmpty() ? "imported from tarball" : message);
        try {
            return JSON.writeValueAsBytes(c);
        } catch (IOException e) {
            throw new JrunException("import " + source + ": write the image config: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ save

    /** The formats of {@code jrun save --format}, as podman names them. */
    public enum Format {
        DOCKER_ARCHIVE("docker-archive"), OCI_ARCHIVE("oci-archive"), OCI_DIR("oci-dir");

        private final String flag;

        Format(String flag) {
            this.flag = flag;
        }

        public String flag() {
            return flag;
        }

        public static Format parse(String flag) throws JrunException {
            for (Format f : values()) {
                if (f.flag.equals(flag)) {
                    return f;
                }
            }
            throw new JrunException("--format " + flag + ": jrun saves docker-archive (default), oci-archive or oci-dir");
        }
    }

    /**
     * Writes {@code image} to {@code output} atomically: into a temporary name in the same
     * directory, renamed into place only when complete, so a failed save leaves nothing behind
     * (and an existing file untouched).
     *
     * @param name the name to write into the archive (RepoTags, ref.name), or null (saved by ID)
     */
    public void save(ImageRecord image, String name, Format format, Path output) throws JrunException {
        ArchiveWriter writer = new ArchiveWriter(store, image, name);
        Path target = output.toAbsolutePath().normalize();
        Path temp = target.resolveSibling("." + target.getFileName() + ".jrun-save-" + ArchiveStreams.randomSuffix());
        try {
            if (format == Format.OCI_DIR) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new JrunException("save: " + target + " exists already; jrun writes an oci-dir into a new"
                            + " directory only: remove it or choose another -o");
                }
                Files.createDirectory(temp);
                writer.writeOci(new ArchiveWriter.DirSink(temp));
                Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                try (OutputStream out = Files.newOutputStream(temp, java.nio.file.StandardOpenOption.CREATE_NEW)) {
                    write(writer, format, out);
                }
                try (var ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new JrunException("save " + image.id().substring(0, 12) + " to " + target + ": " + e.getMessage()
                    + "; nothing was written. Check that the directory exists, is writable and has space", e);
        } finally {
            ArchiveStreams.removeTree(temp);
        }
    }

    /** Writes a tar format to a stream (standard output); not atomic, by nature. */
    public void save(ImageRecord image, String name, Format format, OutputStream out) throws JrunException {
        if (format == Format.OCI_DIR) {
            throw new JrunException("save --format oci-dir needs -o DIR: a directory cannot go to standard output");
        }
        try {
            write(new ArchiveWriter(store, image, name), format, out);
            out.flush();
        } catch (IOException e) {
            throw new JrunException("save " + image.id().substring(0, 12) + " to standard output: " + e.getMessage(), e);
        }
    }

    private static void write(ArchiveWriter writer, Format format, OutputStream out) throws IOException, JrunException {
        try (ArchiveWriter.TarSink sink = new ArchiveWriter.TarSink(out)) {
            if (format == Format.DOCKER_ARCHIVE) {
                writer.writeDocker(sink);
            } else {
                writer.writeOci(sink);
            }
        }
    }
}
