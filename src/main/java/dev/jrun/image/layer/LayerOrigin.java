package dev.jrun.image.layer;

/**
 * Where a layer stream comes from, so that a refusal gives advice that fits: pulling again
 * helps a download cut short, not a layer the registry serves broken, and neither helps a local
 * archive file.
 *
 * @param where          appended to "layer" in messages ("" or " in archive FILE")
 * @param truncatedAdvice what to do when the stream ends early
 * @param malformedAdvice what to do when it is not a tar archive Docker would read
 */
public record LayerOrigin(String where, String truncatedAdvice, String malformedAdvice) {

    public static LayerOrigin registry() {
        return new LayerOrigin("", "the download was cut short or the registry served something else: pull again",
                "Docker and GNU tar would refuse it too, so the image itself is broken: tell its publisher");
    }

    /** A layer read from an image archive or a tarball given to import: {@code source} as "archive FILE" or "standard input". */
    public static LayerOrigin archive(String source) {
        return new LayerOrigin(" in " + source, source + " ends early (an incomplete copy?): give the whole file",
                source + " is damaged or holds something Docker and GNU tar would refuse too: write it again with"
                        + " docker save, podman save or jrun save (or tar, for import)");
    }
}
