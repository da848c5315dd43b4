package dev.jrun.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.Digest;
import dev.jrun.registry.MediaTypes;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import dev.jrun.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one stored image as podman's {@code save} does, from the store's blobs:
 * <ul>
 *   <li>docker-archive: {@code manifest.json} ({@code Config}, {@code RepoTags}, {@code Layers}),
 *       the config as {@code HEX.json} and each layer uncompressed as {@code DIFFID-HEX.tar}
 *       (Docker's format has uncompressed layers; each is checked against its diffID while it
 *       is written). The legacy {@code repositories} file and {@code ID/} directories are not
 *       written: Docker since 1.10 and podman read manifest.json only.</li>
 *   <li>oci-archive / oci-dir: {@code oci-layout}, {@code index.json} with the name in the
 *       {@code org.opencontainers.image.ref.name} annotation (podman writes the full name
 *       there too), and {@code blobs/sha256/...}: layers as stored (usually gzip), the config,
 *       and the manifest the image was pulled with if that was OCI, else one made from the
 *       record with the OCI media types (as podman converts a Docker manifest).</li>
 * </ul>
 */
final class ArchiveWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";

    private final Store store;
    private final ImageRecord image;
    private final String name;

    /** @param name the name written into the archive, or null when saved by ID (podman writes none then) */
    ArchiveWriter(Store store, ImageRecord image, String name) {
        this.store = store;
        this.image = image;
        this.name = name;
    }

    /** Where the files go: a tar stream or a directory. */
    interface Sink {
        void file(String path, long size, Content content) throws IOException, JrunException;
    }

    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException, JrunException;
    }

    void writeDocker(Sink sink) throws IOException, JrunException {
        byte[] config = blobBytes(image.configDigest());
        String configName = image.configDigest().digest().hex() + ".json";
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode entry = manifest.addObject();
        entry.put("Config", configName);
        ArrayNode tags = entry.putArray("RepoTags");
        if (name != null) {
            tags.add(name);
        }
        ArrayNode layers = entry.putArray("Layers");
        Set<String> written = new HashSet<>();
        for (LayerRef layer : image.layers()) {
            String file = layer.diffId().digest().hex() + ".tar";
            layers.add(file);
            if (written.add(file)) {
                long size = store.layerMetadata(layer.diffId()).uncompressedBytes();
                sink.file(file, size, out -> writeUncompressed(layer, size, out));
            }
        }
        sink.file(configName, config.length, out -> out.write(config));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        sink.file(DockerArchive.MANIFEST, manifestBytes.length, out -> out.write(manifestBytes));
    }

    void writeOci(Sink sink) throws IOException, JrunException {
        byte[] manifest = ociManifest();
        Digest manifestDigest = Digest.sha256(manifest);
        Set<BlobDigest> written = new HashSet<>();
        for (LayerRef layer : image.layers()) {
            if (written.add(layer.digest())) {
                copyBlob(sink, layer.digest());
            }
        }
        copyBlob(sink, image.configDigest());
        sink.file(OciLayout.blobName(manifestDigest), manifest.length, out -> out.write(manifest));
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode descriptor = index.putArray("manifests").addObject();
        descriptor.put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", manifestDigest.toString())
                .put("size", manifest.length);
        if (name != null) {
            descriptor.putObject("annotations").put(OciLayout.REF_NAME, name);
        }
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        byte[] layout = "{\"imageLayoutVersion\": \"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
        sink.file(OciLayout.LAYOUT, layout.length, out -> out.write(layout));
        sink.file(OciLayout.INDEX, indexBytes.length, out -> out.write(indexBytes));
    }

    /** The stored manifest if it is OCI (byte for byte, so its digest stays), else one made from the record. */
    private byte[] ociManifest() throws IOException, JrunException {
        if (image.manifestDigest() != null && store.hasBlob(image.manifestDigest())) {
            byte[] stored = blobBytes(image.manifestDigest());
            JsonNode node = JSON.readTree(stored);
            if (node != null && MediaTypes.OCI_MANIFEST.equals(node.path("mediaType").asText())) {
                return stored;
            }
        }
        java.util.List<LayerRef> layers = new java.util.ArrayList<>();
        for (LayerRef layer : image.layers()) {
            String type = layer.mediaType();
            if (type == null || !(type.startsWith("application/vnd.oci.") || type.startsWith("application/vnd.docker."))) {
                type = gzipped(layer.digest()) ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR;
            }
            layers.add(new LayerRef(layer.digest(), layer.diffId(), Files.size(store.blobPath(layer.digest())), type));
        }
        return ImageArchives.manifest(image.configDigest(), Files.size(store.blobPath(image.configDigest())), layers);
    }

    private boolean gzipped(BlobDigest digest) throws IOException, JrunException {
        try (InputStream in = store.openBlob(digest)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
        }
    }

    private void copyBlob(Sink sink, BlobDigest digest) throws IOException, JrunException {
        Path path = store.blobPath(digest);
        sink.file(OciLayout.blobName(digest.digest()), Files.size(path), out -> {
            try (InputStream in = store.openBlob(digest)) {
                in.transferTo(out);
            }
        });
    }

    /** The layer's tar, decompressed if stored compressed, checked against its diffID and size on the way. */
    private void writeUncompressed(LayerRef layer, long size, OutputStream out) throws IOException, JrunException {
        MessageDigest md = layer.diffId().digest().newHasher();
        long count = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = ArchiveStreams.decompressed(store.openBlob(layer.digest()), "layer " + layer.digest())) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if ((count += n) > size) {
                    break;
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        if (count != size || !layer.diffId().digest().matches(md)) {
            throw new JrunException("the stored blob " + layer.digest() + " does not hold layer " + layer.diffId()
                    + " (" + count + " bytes, expected " + size + "); the store is damaged: remove the image (jrun rmi)"
                    + " and pull or load it again");
        }
    }

    private byte[] blobBytes(BlobDigest digest) throws IOException, JrunException {
        try (InputStream in = store.openBlob(digest)) {
            return in.readNBytes(ArchiveLimits.defaults().maxJsonBytes());
        }
    }

    /** A tar stream: entries as podman writes them (owned by 0:0, read-only, fixed time). */
    static final class TarSink implements Sink, AutoCloseable {
        private final TarArchiveOutputStream tar;

        TarSink(OutputStream out) {
            tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush(); // the caller owns (and closes) the stream
                }
            }, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        private final Set<String> dirs = new HashSet<>();

        @Override
        public void file(String path, long size, Content content) throws IOException, JrunException {
            int slash = -1;
            while ((slash = path.indexOf('/', slash + 1)) > 0) {
                String dir = path.substring(0, slash + 1);
                if (dirs.add(dir)) {
                    TarArchiveEntry d = new TarArchiveEntry(dir);
                    d.setMode(040755);
                    d.setModTime(new Date(0));
                    tar.putArchiveEntry(d);
                    tar.closeArchiveEntry();
                }
            }
            TarArchiveEntry e = new TarArchiveEntry(path);
            e.setSize(size);
            e.setMode(0100444);
            e.setModTime(new Date(0));
            tar.putArchiveEntry(e);
            content.writeTo(tar);
            tar.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            tar.finish();
            tar.close();
        }
    }

    /** A directory being written (a temporary one, renamed into place by the caller). */
    static final class DirSink implements Sink {
        private final Path root;

        DirSink(Path root) {
            this.root = root;
        }

        @Override
        public void file(String path, long size, Content content) throws IOException, JrunException {
            Path target = root.resolve(path);
            Files.createDirectories(target.getParent());
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                content.writeTo(out);
            }
        }
    }
}
