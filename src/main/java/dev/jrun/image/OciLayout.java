package dev.jrun.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;
import dev.jrun.registry.Descriptor;
import dev.jrun.registry.FetchedManifest;
import dev.jrun.registry.ImageManifest;
import dev.jrun.registry.Manifest;
import dev.jrun.registry.ManifestIndex;
import dev.jrun.registry.ManifestParser;
import dev.jrun.registry.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OCI image layout (image-spec image-layout.md): {@code oci-layout}, {@code index.json}
 * and {@code blobs/ALG/HEX}, as a directory or as a tar of one ({@code podman save --format
 * oci-archive}). Each {@code index.json} entry is an image (or an index, of which the host's
 * platform is chosen); its name is the {@code org.opencontainers.image.ref.name} annotation.
 *
 * <p>Every blob is found by its digest (a validated {@link Digest}, so the path is safe) and
 * checked against it and against the size its descriptor declares before it is used.
 */
final class OciLayout {
    static final String LAYOUT = "oci-layout";
    static final String INDEX = "index.json";
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** What the registry client accepts for one manifest. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayout() {
    }

    static List<ArchiveImage> read(ArchiveFiles files, ArchiveLimits limits, Platform platform) throws JrunException {
        String where = files.source();
        JsonNode layout = json(files.readSmall(LAYOUT, 4096, "load " + where), LAYOUT + " of " + where);
        JsonNode version = layout.path("imageLayoutVersion");
        if (!version.isTextual() || !version.asText().startsWith("1.")) {
            throw bad(LAYOUT + " of " + where, "imageLayoutVersion is " + version + ", not 1.x");
        }
        JsonNode index = json(files.readSmall(INDEX, MAX_MANIFEST_BYTES, "load " + where), INDEX + " of " + where);
        JsonNode entries = index.path("manifests");
        if (!entries.isArray() || entries.isEmpty() || entries.size() > DockerArchive.MAX_IMAGES) {
            throw bad(INDEX + " of " + where, "\"manifests\" is not a list of 1 to " + DockerArchive.MAX_IMAGES
                    + " descriptors");
        }
        List<ArchiveImage> images = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String what = "image " + (i + 1) + " in " + INDEX + " of " + where;
            Descriptor descriptor = descriptor(entry, what);
            List<String> names = new ArrayList<>();
            JsonNode refName = entry.path("annotations").path(REF_NAME);
            if (refName.isTextual() && !refName.asText().isEmpty()) {
                names.add(ImageArchives.localName(refName.asText(), what + ": annotation " + REF_NAME));
            }
            images.add(image(files, limits, platform, descriptor, names, what));
        }
        return images;
    }

    private static ArchiveImage image(ArchiveFiles files, ArchiveLimits limits, Platform platform, Descriptor descriptor,
                                      List<String> names, String what) throws JrunException {
        byte[] bytes = blob(files, descriptor, MAX_MANIFEST_BYTES, what);
        Manifest manifest = ManifestParser.parse(new FetchedManifest(bytes, descriptor.mediaType(), descriptor.digest()),
                what);
        if (manifest instanceof ManifestIndex index) {
            // docker save (Docker 25+ with the containerd store) and buildx write multi-platform indexes.
            descriptor = index.select(platform, what);
            bytes = blob(files, descriptor, MAX_MANIFEST_BYTES, what);
            manifest = ManifestParser.parse(new FetchedManifest(bytes, descriptor.mediaType(), descriptor.digest()), what);
            if (!(manifest instanceof ImageManifest)) {
                throw bad(what, "an index inside an index is not supported");
            }
        }
        ImageManifest image = (ImageManifest) manifest;
        byte[] config = blob(files, image.config(), limits.maxJsonBytes(), what + ": config");
        ImageConfig parsed = ImageConfig.parse(config, what);
        if (parsed.diffIds().size() != image.layers().size()) {
            throw bad(what, "its manifest lists " + image.layers().size() + " layers but its config "
                    + parsed.diffIds().size() + " diffIDs");
        }
        List<ArchiveImage.Layer> layers = new ArrayList<>();
        for (int j = 0; j < image.layers().size(); j++) {
            Descriptor layer = image.layers().get(j);
            String layerWhat = what + ": layer " + (j + 1);
            ArchiveFiles.ArchiveFile file = files.file(blobName(layer.digest()), layerWhat);
            verify(file, layer, layerWhat);
            layers.add(new ArchiveImage.Layer(file, new BlobDigest(layer.digest()), parsed.diffIds().get(j),
                    layer.mediaType().equals(MediaTypes.DOCKER_LAYER_GZIP) ? MediaTypes.OCI_LAYER_GZIP : layer.mediaType()));
        }
        // Keep the manifest only if it is OCI: save writes it back as is then.
        boolean oci = image.mediaType().equals(MediaTypes.OCI_MANIFEST);
        return new ArchiveImage(names, config, new BlobDigest(image.config().digest()), parsed, oci ? bytes : null,
                oci ? new BlobDigest(descriptor.digest()) : null, layers, what);
    }

    static String blobName(Digest digest) {
        return "blobs/" + digest.algorithm().prefix() + "/" + digest.hex();
    }

    private static byte[] blob(ArchiveFiles files, Descriptor descriptor, int max, String what) throws JrunException {
        ArchiveFiles.ArchiveFile file = files.file(blobName(descriptor.digest()), what);
        verify(file, descriptor, what);
        return files.readSmall(file.name(), max, what);
    }

    /** Size first (cheap, and bounds the hashing), then the digest. */
    private static void verify(ArchiveFiles.ArchiveFile file, Descriptor descriptor, String what) throws JrunException {
        if (file.size() != descriptor.size()) {
            throw new JrunException(what + ": blob " + descriptor.digest() + " is " + file.size()
                    + " bytes but its descriptor says " + descriptor.size()
                    + "; the archive is corrupt or was tampered with, and nothing was loaded");
        }
        Digest actual;
        try {
            actual = file.digest(descriptor.digest().algorithm());
        } catch (IOException e) {
            throw new JrunException(what + ": cannot read blob " + descriptor.digest() + ": " + e.getMessage(), e);
        }
        if (!actual.equals(descriptor.digest())) {
            throw new JrunException(what + ": blob " + file.name() + " has digest " + actual + ", not the "
                    + descriptor.digest() + " it is named and referenced by; the archive is corrupt or was tampered"
                    + " with, and nothing was loaded");
        }
    }

    private static Descriptor descriptor(JsonNode node, String what) throws JrunException {
        JsonNode mediaType = node.path("mediaType");
        JsonNode size = node.path("size");
        if (!node.isObject() || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw bad(what, "the descriptor has no valid size");
        }
        Digest digest = Digest.parse(node.path("digest").asText(null), what + ": digest");
        // podman writes index entries without a mediaType at times; the manifest declares its own.
        return new Descriptor(mediaType.isTextual() ? mediaType.asText() : "", digest, size.asLong());
    }

    private static JsonNode json(byte[] bytes, String what) throws JrunException {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw bad(what, "it is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw bad(what, "it is not valid JSON (" + e.getMessage() + ")");
        }
    }

    private static JrunException bad(String what, String why) {
        return new JrunException("load: " + what + " is malformed: " + why
                + "; the archive is broken or hostile and nothing was loaded");
    }
}
