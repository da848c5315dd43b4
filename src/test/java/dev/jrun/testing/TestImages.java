package dev.jrun.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import dev.jrun.oci.Digest;
import dev.jrun.registry.MediaTypes;
import dev.jrun.oci.Platform;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RemoteRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds small, real images and pushes them with jrun's own client.
 *
 * <pre>
 *   TestImages.Pushed image = TestImages.builder()
 *       .layer(TestLayer.busybox())
 *       .layer(Map.of("etc/motd", "hi\n".getBytes()))
 *       .cmd("sh", "-c", "cat /etc/motd")
 *       .push(registry, "test/busybox:latest");
 *
 *   TestImages.index()
 *       .image(TestImages.builder().platform("linux/amd64").layer(...))
 *       .image(TestImages.builder().platform("linux/arm64/v8").layer(...))
 *       .push(registry, "test/multi:latest");
 * </pre>
 */
public final class TestImages {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Format { OCI, DOCKER }

    /** A built image: manifest and config bytes and layers, all with their digests. */
    public record Image(Platform platform, Format format, byte[] manifest, Digest digest, String mediaType,
                        byte[] config, Digest configDigest, List<TestLayer> layers) {
    }

    /** What was pushed: the reference, the digest and bytes of what the tag points at, and the images. */
    public record Pushed(String reference, Digest digest, String mediaType, byte[] manifest, List<Image> images) {
        /** The single image (for a pushed image, not an index). */
        public Image image() {
            if (images.size() != 1) {
                throw new IllegalStateException(reference + " is an index of " + images.size() + " images");
            }
            return images.get(0);
        }
    }

    private TestImages() {
    }

    public static ImageBuilder builder() {
        return new ImageBuilder();
    }

    public static IndexBuilder index() {
        return new IndexBuilder();
    }

    public static final class ImageBuilder {
        private final List<TestLayer> layers = new ArrayList<>();
        private final ObjectNode containerConfig = JSON.createObjectNode();
        private Platform platform = Platform.host();
        private Format format = Format.OCI;

        public ImageBuilder layer(TestLayer layer) {
            layers.add(layer);
            return this;
        }

        /** A layer of root-owned regular files (parents created); see {@link TestLayer#of}. */
        public ImageBuilder layer(Map<String, byte[]> files) {
            return layer(TestLayer.of(files));
        }

        /** {@code os/arch[/variant]}; the default is the host's platform. */
        public ImageBuilder platform(String platform) {
            try {
                this.platform = Platform.parse(platform);
            } catch (JrunException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return this;
        }

        public ImageBuilder format(Format format) {
            this.format = format;
            return this;
        }

        public ImageBuilder entrypoint(String... argv) {
            return array("Entrypoint", argv);
        }

        public ImageBuilder cmd(String... argv) {
            return array("Cmd", argv);
        }

        /** Environment entries as "NAME=value". */
        public ImageBuilder env(String... entries) {
            return array("Env", entries);
        }

        public ImageBuilder workingDir(String dir) {
            containerConfig.put("WorkingDir", dir);
            return this;
        }

        public ImageBuilder user(String user) {
            containerConfig.put("User", user);
            return this;
        }

        public ImageBuilder stopSignal(String signal) {
            containerConfig.put("StopSignal", signal);
            return this;
        }

        /** Any other key of the config's "config" object (OCI image-spec config.md). */
        public ImageBuilder configField(String name, Object value) {
            containerConfig.set(name, JSON.valueToTree(value));
            return this;
        }

        private ImageBuilder array(String name, String... values) {
            ArrayNode array = containerConfig.putArray(name);
            Arrays.stream(values).forEach(array::add);
            return this;
        }

        public Image build() {
            try {
                ObjectNode config = JSON.createObjectNode();
                config.put("created", TestLayer.MTIME.toString());
                config.put("architecture", platform.architecture());
                if (!platform.variant().isEmpty()) {
                    config.put("variant", platform.variant());
                }
                config.put("os", platform.os());
                config.set("config", containerConfig.deepCopy());
                ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
                ArrayNode diffIds = rootfs.putArray("diff_ids");
                layers.forEach(layer -> diffIds.add(layer.diffId().toString()));
                byte[] configBytes = JSON.writeValueAsBytes(config);
                Digest configDigest = Digest.sha256(configBytes);

                boolean oci = format == Format.OCI;
                String mediaType = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
                ObjectNode manifest = JSON.createObjectNode();
                manifest.put("schemaVersion", 2);
                manifest.put("mediaType", mediaType);
                manifest.putObject("config").put("mediaType", oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG)
                        .put("digest", configDigest.toString()).put("size", configBytes.length);
                ArrayNode layerArray = manifest.putArray("layers");
                for (TestLayer layer : layers) {
                    layerArray.addObject().put("mediaType", layerMediaType(layer))
                            .put("digest", layer.digest().toString()).put("size", layer.size());
                }
                byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
                return new Image(platform, format, manifestBytes, Digest.sha256(manifestBytes), mediaType,
                        configBytes, configDigest, List.copyOf(layers));
            } catch (IOException e) {
                throw new UncheckedIOException("build test image", e);
            }
        }

        private String layerMediaType(TestLayer layer) {
            if (format == Format.OCI) {
                return layer.mediaType();
            }
            if (!layer.mediaType().equals(MediaTypes.OCI_LAYER_GZIP)) {
                throw new IllegalArgumentException("Docker schema 2 images have gzip layers only");
            }
            return MediaTypes.DOCKER_LAYER_GZIP;
        }

        /** Pushes to {@code registry} as {@code repository:tag} (tag defaults to latest). */
        public Pushed push(TestRegistry registry, String repositoryAndTag) throws JrunException {
            String[] parts = split(repositoryAndTag);
            return push(registry.client(), registry.repository(parts[0]), parts[1]);
        }

        public Pushed push(RegistryClient client, RemoteRepository repo, String tag) throws JrunException {
            Image image = build();
            pushImage(client, repo, image, tag);
            return new Pushed(repo + ":" + tag, image.digest(), image.mediaType(), image.manifest(), List.of(image));
        }
    }

    public static final class IndexBuilder {
        private final List<ImageBuilder> images = new ArrayList<>();
        private Format format = Format.OCI;

        /** Adds an image; its {@link ImageBuilder#platform} is its index entry's platform. */
        public IndexBuilder image(ImageBuilder image) {
            images.add(image);
            return this;
        }

        /** OCI image index (default) or Docker manifest list, and the same format for its images. */
        public IndexBuilder format(Format format) {
            this.format = format;
            return this;
        }

        public Pushed push(TestRegistry registry, String repositoryAndTag) throws JrunException {
            String[] parts = split(repositoryAndTag);
            return push(registry.client(), registry.repository(parts[0]), parts[1]);
        }

        public Pushed push(RegistryClient client, RemoteRepository repo, String tag) throws JrunException {
            List<Image> built = new ArrayList<>();
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            String mediaType = format == Format.OCI ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_LIST;
            index.put("mediaType", mediaType);
            ArrayNode manifests = index.putArray("manifests");
            for (ImageBuilder builder : images) {
                Image image = builder.format(format).build();
                pushImage(client, repo, image, image.digest().toString());
                built.add(image);
                ObjectNode platform = manifests.addObject().put("mediaType", image.mediaType())
                        .put("digest", image.digest().toString()).put("size", image.manifest().length)
                        .putObject("platform");
                platform.put("architecture", image.platform().architecture()).put("os", image.platform().os());
                if (!image.platform().variant().isEmpty()) {
                    platform.put("variant", image.platform().variant());
                }
            }
            try {
                byte[] bytes = JSON.writeValueAsBytes(index);
                Digest digest = client.pushManifest(repo, tag, mediaType, bytes);
                return new Pushed(repo + ":" + tag, digest, mediaType, bytes, List.copyOf(built));
            } catch (IOException e) {
                throw new UncheckedIOException("build test index", e);
            }
        }
    }

    private static void pushImage(RegistryClient client, RemoteRepository repo, Image image, String reference)
            throws JrunException {
        for (TestLayer layer : image.layers()) {
            client.pushBlob(repo, layer.blob());
        }
        client.pushBlob(repo, image.config());
        client.pushManifest(repo, reference, image.mediaType(), image.manifest());
    }

    private static String[] split(String repositoryAndTag) {
        int colon = repositoryAndTag.lastIndexOf(':');
        if (colon < 0 || colon < repositoryAndTag.lastIndexOf('/')) {
            return new String[] {repositoryAndTag, "latest"};
        }
        return new String[] {repositoryAndTag.substring(0, colon), repositoryAndTag.substring(colon + 1)};
    }
}
