package dev.jrun.image;

import dev.jrun.errors.JrunException;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference normalised as podman (containers/image, docker/distribution's
 * {@code ParseNormalizedNamed}) does: {@code alpine} is {@code docker.io/library/alpine:latest}.
 *
 * <p>A reference without a domain is a <em>short name</em> ({@link #isShortName()}); it is parsed
 * against {@code docker.io} so that it prints the way users expect, but which registries are
 * actually asked is decided by {@link RegistriesConf#candidates(ImageReference)}. The
 * {@code library/} namespace is added only for single-component names on docker.io, because only
 * Docker Hub keeps its official images there.
 *
 * <p>Grammar (OCI distribution spec, "Pulling manifests", and docker/distribution reference):
 * <pre>
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component ( "/" path-component )*
 *   domain     := host [ ":" port ]          (first component containing "." or ":", or
 *                                             "localhost", or with an upper-case letter)
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" encoded      (sha256: 64 lower-case hex; sha512: 128)
 * </pre>
 */
public final class ImageReference {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final String LEGACY_DOCKER_HUB = "index.docker.io";
    private static final String OFFICIAL_NAMESPACE = "library/";
    /** distribution/reference's RepositoryNameTotalLengthMax, applied to the path since v0.6.0. */
    private static final int NAME_MAX = 255;
    /** Longer input is not a reference; refusing early keeps error messages and regexes cheap. */
    private static final int INPUT_MAX = 4096;

    private static final Pattern DOMAIN_COMPONENT =
            Pattern.compile("[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]");
    private static final Pattern IPV6_HOST = Pattern.compile("\\[[a-fA-F0-9:]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern PATH_COMPONENT =
            Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST_ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern DIGEST_ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

    private final String domain;
    private final String path;
    private final String tag;
    private final String digest;
    private final boolean shortName;
    /** The repository path as typed, before docker.io's "library/"; used for search registries. */
    private final String typedPath;

    private ImageReference(String domain, String typedPath, String tag, String digest, boolean shortName) {
        this.domain = domain;
        this.typedPath = typedPath;
        this.path = officialPath(domain, typedPath);
        this.tag = tag;
        this.digest = digest;
        this.shortName = shortName;
    }

    /** Parses and normalises {@code input}; a reference without tag or digest gets {@code :latest}. */
    public static ImageReference parse(String input) throws JrunException {
        if (input == null || input.isEmpty()) {
            throw invalid(String.valueOf(input), "it is empty");
        }
        if (input.length() > INPUT_MAX) {
            throw invalid(input.substring(0, 64) + "...", "it is " + input.length() + " characters long");
        }
        if (IMAGE_ID.matcher(input).matches()) {
            // docker/distribution refuses these as names: they are image IDs, not repositories.
            throw invalid(input, "a 64-character hexadecimal string is an image ID, not a repository name");
        }
        String rest = input;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            checkDigest(input, digest);
        }
        String tag = null;
        int lastColon = rest.lastIndexOf(':');
        if (lastColon > rest.lastIndexOf('/')) {
            // A colon after the last slash separates the tag; one before it belongs to host:port.
            tag = rest.substring(lastColon + 1);
            rest = rest.substring(0, lastColon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(input, "tag \"" + tag + "\" is not valid: a tag is 1 to 128 letters, digits,"
                        + " '_', '.' or '-' and does not start with '.' or '-'");
            }
        }
        String domain;
        String remainder;
        boolean shortName;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && looksLikeDomain(first)) {
            domain = first;
            remainder = rest.substring(slash + 1);
            shortName = false;
            checkDomain(input, domain);
            if (domain.equals(LEGACY_DOCKER_HUB)) {
                domain = DOCKER_HUB;
            }
        } else {
            domain = DOCKER_HUB;
            remainder = rest;
            shortName = true;
        }
        checkPath(input, remainder);
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        ImageReference ref = new ImageReference(domain, remainder, tag, digest, shortName);
        // Since distribution/reference v0.6.0 the limit is on the path alone, without the
        // registry host (a long host name does not make a valid path invalid).
        if (ref.path().length() > NAME_MAX) {
            throw invalid(input, "the repository path (without the registry host) is longer than " + NAME_MAX
                    + " characters");
        }
        return ref;
    }

    private static boolean looksLikeDomain(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
    }

    private static void checkDomain(String input, String domain) throws JrunException {
        String host = domain;
        String port = null;
        if (domain.startsWith("[")) {
            int close = domain.indexOf(']');
            host = close < 0 ? domain : domain.substring(0, close + 1);
            String after = close < 0 ? "" : domain.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                host = domain;
            }
            if (!IPV6_HOST.matcher(host).matches()) {
                throw invalid(input, "registry host \"" + domain + "\" is not a valid bracketed IPv6 address");
            }
        } else {
            int colon = domain.indexOf(':');
            if (colon >= 0) {
                host = domain.substring(0, colon);
                port = domain.substring(colon + 1);
            }
            for (String component : host.split("\\.", -1)) {
                if (!DOMAIN_COMPONENT.matcher(component).matches()) {
                    throw invalid(input, "registry host \"" + domain + "\" is not a valid host name"
                            + " (letters, digits and '-' separated by '.', e.g. registry.example.com:5000)");
                }
            }
        }
        if (port != null && (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535)) {
            throw invalid(input, "port \"" + port + "\" of registry \"" + domain + "\" is not a number from 0 to 65535");
        }
    }

    private static void checkPath(String input, String path) throws JrunException {
        if (path.isEmpty()) {
            throw invalid(input, "the repository name is missing");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                String why = !component.toLowerCase(Locale.ROOT).equals(component)
                        ? "repository name must be lowercase"
                        : "repository path component \"" + component + "\" is not valid: use lower-case letters"
                                + " and digits, separated by '.', '_', '__' or '-', and single '/' between components";
                throw invalid(input, why);
            }
        }
    }

    private static void checkDigest(String input, String digest) throws JrunException {
        int colon = digest.indexOf(':');
        String algorithm = colon < 0 ? "" : digest.substring(0, colon);
        String encoded = colon < 0 ? "" : digest.substring(colon + 1);
        if (!DIGEST_ALGORITHM.matcher(algorithm).matches() || !DIGEST_ENCODED.matcher(encoded).matches()) {
            throw invalid(input, "digest \"" + digest + "\" is not of the form ALGORITHM:HEX, e.g. sha256:"
                    + "0".repeat(64));
        }
        int expectedLength;
        if (algorithm.equals("sha256")) {
            expectedLength = 64;
        } else if (algorithm.equals("sha512")) {
            expectedLength = 128;
        } else {
            throw invalid(input, "digest algorithm \"" + algorithm + "\" is not supported; use sha256 or sha512");
        }
        if (encoded.length() != expectedLength || !encoded.matches("[a-f0-9]+")) {
            throw invalid(input, "a " + algorithm + " digest has exactly " + expectedLength
                    + " lower-case hexadecimal digits, \"" + encoded + "\" has " + encoded.length() + " characters");
        }
    }

    private static JrunException invalid(String input, String why) {
        return new JrunException("invalid image reference \"" + input + "\": " + why
                + "; a valid reference looks like alpine, alpine:3.20, quay.io/ns/name:tag"
                + " or localhost:5000/name@sha256:<64 hex digits>");
    }

    private static String officialPath(String domain, String typedPath) {
        if (domain.equals(DOCKER_HUB) && typedPath.indexOf('/') < 0) {
            return OFFICIAL_NAMESPACE + typedPath;
        }
        return typedPath;
    }

    /** The same repository path (as typed) and tag/digest on another registry. */
    public ImageReference onDomain(String newDomain) {
        return new ImageReference(newDomain, typedPath, tag, digest, false);
    }

    /** The same repository with another tag and no digest. */
    public ImageReference withTag(String newTag) throws JrunException {
        return parse(name() + ":" + newTag);
    }

    /** The same repository pinned to a digest (keeping the tag for display, as podman does). */
    public ImageReference withDigest(String newDigest) throws JrunException {
        return parse(name() + (tag == null ? "" : ":" + tag) + "@" + newDigest);
    }

    /** Registry host[:port], e.g. {@code docker.io} or {@code 127.0.0.1:5000}. */
    public String domain() {
        return domain;
    }

    /** Repository path inside the registry, e.g. {@code library/alpine}. */
    public String path() {
        return path;
    }

    /** The path as the user typed it (no {@code library/} added); used to build search candidates. */
    public String typedPath() {
        return typedPath;
    }

    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    /** True when the input named no registry, so registries.conf decides where to look. */
    public boolean isShortName() {
        return shortName;
    }

    /** {@code domain/path}, e.g. {@code docker.io/library/alpine}. */
    public String name() {
        return domain + "/" + path;
    }

    /** What to ask the registry's manifest endpoint for: the digest if pinned, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** The fully-qualified form, e.g. {@code docker.io/library/alpine:latest}. */
    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageReference && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }
}
