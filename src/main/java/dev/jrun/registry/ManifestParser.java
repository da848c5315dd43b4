package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses manifest bytes from a registry into a {@link Manifest}, refusing anything ambiguous or
 * unexpected: every field is hostile input.
 */
public final class ManifestParser {
    /** Far above any real image (Docker's overlay driver stops at 127 layers), low enough to bound work. */
    static final int MAX_ENTRIES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CONFIG_TYPES = Set.of(MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);
    private static final Set<String> LAYER_TYPES = Set.of(MediaTypes.OCI_LAYER_TAR, MediaTypes.OCI_LAYER_GZIP,
            MediaTypes.OCI_LAYER_ZSTD, MediaTypes.DOCKER_LAYER_GZIP);

    private ManifestParser() {
    }

    /**
     * @param what the reference it was fetched for, for error messages
     */
    public static Manifest parse(FetchedManifest fetched, String what) throws JrunException {
        JsonNode root;
        try {
            root = JSON.readTree(fetched.bytes());
        } catch (IOException e) {
            throw bad(what, "it is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw bad(what, "it is not a JSON object");
        }
        int schemaVersion = root.path("schemaVersion").asInt(-1);
        String bodyType = root.path("mediaType").asText("");
        if (schemaVersion == 1 || bodyType.equals(MediaTypes.DOCKER_SCHEMA1) || bodyType.equals(MediaTypes.DOCKER_SCHEMA1_SIGNED)) {
            throw new JrunException(what + " uses Docker's deprecated schema 1 manifest, which jrun does not pull;"
                    + " push the image again with a current tool to convert it");
        }
        if (schemaVersion != 2) {
            throw bad(what, "schemaVersion is " + root.path("schemaVersion") + ", not 2");
        }
        boolean hasManifests = root.has("manifests");
        boolean hasImageFields = root.has("layers") || root.has("config");
        // CVE-2021-41190 (GHSA-mc8v-mgrf-8f4m): a document that reads as both an index and a
        // manifest could be interpreted differently by different tools; refuse it.
        if (hasManifests && hasImageFields) {
            throw bad(what, "it has both \"manifests\" and \"layers\"/\"config\", so it is ambiguous (CVE-2021-41190)");
        }
        String headerType = fetched.mediaType() == null ? "" : fetched.mediaType();
        boolean headerKnown = MediaTypes.INDEXES.contains(headerType) || MediaTypes.IMAGE_MANIFESTS.contains(headerType);
        if (!bodyType.isEmpty() && headerKnown && !bodyType.equals(headerType)) {
            throw bad(what, "the registry sent it as " + headerType + " but it declares itself " + bodyType);
        }
        String type = !bodyType.isEmpty() ? bodyType : headerKnown ? headerType
                : hasManifests ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        if (MediaTypes.INDEXES.contains(type)) {
            if (!hasManifests || hasImageFields) {
                throw bad(what, "it is declared an index (" + type + ") but has no \"manifests\" list");
            }
            return new ManifestIndex(type, fetched.digest(), descriptors(root.path("manifests"), what, "manifests", true));
        }
        if (MediaTypes.IMAGE_MANIFESTS.contains(type)) {
            if (hasManifests) {
                throw bad(what, "it is declared an image manifest (" + type + ") but has a \"manifests\" list");
            }
            Descriptor config = descriptor(root.path("config"), what, "config", false);
            if (!CONFIG_TYPES.contains(config.mediaType())) {
                throw new JrunException(what + " is not a container image: its config has media type \""
                        + ErrorResponses.excerpt(config.mediaType()) + "\" (an OCI artifact?); jrun runs only images"
                        + " with " + MediaTypes.OCI_CONFIG + " or " + MediaTypes.DOCKER_CONFIG);
            }
            List<Descriptor> layers = descriptors(root.path("layers"), what, "layers", false);
            for (Descriptor layer : layers) {
                if (!LAYER_TYPES.contains(layer.mediaType())) {
                    throw new JrunException(what + " has a layer " + layer.digest() + " of media type \""
                            + ErrorResponses.excerpt(layer.mediaType()) + "\", which jrun cannot unpack (it supports "
                            + String.join(", ", LAYER_TYPES) + ")");
                }
            }
            return new ImageManifest(type, fetched.digest(), config, layers);
        }
        throw new JrunException(what + " has media type \"" + ErrorResponses.excerpt(type) + "\", which is not an"
                + " image manifest or index; jrun accepts " + MediaTypes.MANIFEST_ACCEPT);
    }

    private static List<Descriptor> descriptors(JsonNode array, String what, String field, boolean withPlatform)
            throws JrunException {
        if (!array.isArray()) {
            throw bad(what, "\"" + field + "\" is not a list");
        }
        if (array.size() > MAX_ENTRIES) {
            throw bad(what, "\"" + field + "\" has " + array.size() + " entries (more than " + MAX_ENTRIES + ")");
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(descriptor(array.get(i), what, field + "[" + i + "]", withPlatform));
        }
        return out;
    }

    private static Descriptor descriptor(JsonNode node, String what, String field, boolean withPlatform)
            throws JrunException {
        if (!node.isObject()) {
            throw bad(what, "\"" + field + "\" is missing or not an object");
        }
        JsonNode mediaType = node.path("mediaType");
        JsonNode size = node.path("size");
        if (!mediaType.isTextual() || mediaType.asText().isEmpty()) {
            throw bad(what, "\"" + field + "\" has no mediaType");
        }
        // The size bounds how many bytes jrun accepts for this blob: it must be an exact integer.
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw bad(what, "\"" + field + "\" has no valid size (a non-negative integer)");
        }
        Digest digest = Digest.parse(node.path("digest").asText(null), what + ": " + field + ".digest");
        Platform platform = null;
        JsonNode p = node.path("platform");
        if (withPlatform && p.isObject()) {
            String os = p.path("os").asText("");
            String arch = p.path("architecture").asText("");
            if (!os.isEmpty() && !arch.isEmpty()) {
                platform = new Platform(ErrorResponses.excerpt(os), ErrorResponses.excerpt(arch),
                        ErrorResponses.excerpt(p.path("variant").asText("")));
            }
        }
        return new Descriptor(mediaType.asText(), digest, size.asLong(), platform);
    }

    private static JrunException bad(String what, String why) {
        return new JrunException("the manifest of " + what + " is malformed: " + why
                + "; the registry serves a broken or hostile image");
    }
}
