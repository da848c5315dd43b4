package dev.jrun.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import dev.jrun.registry.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a docker-archive: what {@code docker save} and {@code podman save --format
 * docker-archive} write. Its {@code manifest.json} lists, per image, the config file, the
 * layer files (uncompressed tars, each named however the writer liked: {@code ID/layer.tar}
 * up to Docker 24, {@code DIFFID.tar} by podman, {@code blobs/sha256/DIFFID} by Docker 25+)
 * and the {@code RepoTags}. The legacy files ({@code repositories}, {@code ID/json}) are
 * ignored, as podman and Docker ignore them when manifest.json is present.
 *
 * <p>Nothing in it is trusted: the config's digest is computed (it is the image ID), each
 * layer's digest is computed and, as layers here are uncompressed, must equal the config's
 * diffID; a layer that is gzip-compressed anyway (containers/image accepts that) is checked
 * against its diffID while it is unpacked.
 */
final class DockerArchive {
    static final String MANIFEST = "manifest.json";
    /** Far above any real archive, low enough to bound the work. */
    static final int MAX_IMAGES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {
    }

    static List<ArchiveImage> read(ArchiveFiles files, ArchiveLimits limits) throws JrunException {
        String where = MANIFEST + " of " + files.source();
        byte[] bytes = files.readSmall(MANIFEST, limits.maxJsonBytes(), "load " + files.source());
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw bad(where, "it is not valid JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw bad(where, "it is not a non-empty list of images");
        }
        if (root.size() > MAX_IMAGES) {
            throw bad(where, "it lists " + root.size() + " images, more than " + MAX_IMAGES);
        }
        List<ArchiveImage> images = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            images.add(image(files, limits, root.get(i), "image " + (i + 1) + " in " + where));
        }
        return images;
    }

    private static ArchiveImage image(ArchiveFiles files, ArchiveLimits limits, JsonNode item, String what)
            throws JrunException {
        if (!item.isObject()) {
            throw bad(what, "it is not an object");
        }
        String configName = text(item.path("Config"), what, "Config");
        List<String> layerNames = texts(item.path("Layers"), what, "Layers");
        List<String> names = new ArrayList<>();
        JsonNode tags = item.path("RepoTags");
        if (!tags.isMissingNode() && !tags.isNull()) {
            for (String tag : texts(tags, what, "RepoTags")) {
                names.add(ImageArchives.localName(tag, what + ": RepoTags"));
            }
        }
        byte[] config = files.readSmall(configName, limits.maxJsonBytes(), what + ": Config");
        BlobDigest configDigest = new BlobDigest(Digest.sha256(config));
        ImageConfig parsed = ImageConfig.parse(config, what);
        if (parsed.diffIds().size() != layerNames.size()) {
            throw bad(what, "it lists " + layerNames.size() + " layers but its config " + parsed.diffIds().size()
                    + " diffIDs");
        }
        List<ArchiveImage.Layer> layers = new ArrayList<>();
        for (int j = 0; j < layerNames.size(); j++) {
            String layerWhat = what + ": Layers[" + j + "]";
            ArchiveFiles.ArchiveFile file = files.file(layerNames.get(j), layerWhat);
            DiffId diffId = parsed.diffIds().get(j);
            try {
                boolean gzipped = file.gzipped();
                Digest digest = file.digest(diffId.digest().algorithm());
                if (!gzipped && !digest.equals(diffId.digest())) {
                    throw new JrunException(layerWhat + ": " + file.name() + " has digest " + digest
                            + " but the image config's rootfs.diff_ids[" + j + "] says " + diffId
                            + "; the archive is corrupt or was tampered with, and nothing was loaded");
                }
                BlobDigest blob = new BlobDigest(diffId.digest().algorithm() == Digest.Algorithm.SHA256 ? digest
                        : file.digest(Digest.Algorithm.SHA256));
                layers.add(new ArchiveImage.Layer(file, blob, diffId,
                        gzipped ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER_TAR));
            } catch (IOException e) {
                throw new JrunException(layerWhat + ": cannot read " + file.name() + ": " + e.getMessage(), e);
            }
        }
        return new ArchiveImage(names, config, configDigest, parsed, null, null, layers, what);
    }

    private static String text(JsonNode node, String what, String field) throws JrunException {
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw bad(what, "\"" + field + "\" is missing or not a string");
        }
        return node.asText();
    }

    private static List<String> texts(JsonNode node, String what, String field) throws JrunException {
        if (!node.isArray() || node.size() > MAX_IMAGES) {
            throw bad(what, "\"" + field + "\" is not a list (of at most " + MAX_IMAGES + " strings)");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            out.add(text(item, what, field + " entry"));
        }
        return out;
    }

    private static JrunException bad(String what, String why) {
        return new JrunException("load: " + what + " is malformed: " + why
                + "; the archive is broken or hostile and nothing was loaded");
    }
}
