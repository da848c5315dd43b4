package dev.jrun.oci;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it: {@code algorithm:hex}. Only {@code sha256}
 * (64 lowercase hex digits) and {@code sha512} (128) are accepted; anything else is refused on
 * construction, so a {@code Digest} in hand is always safe to use as a file name component
 * (no "/", "..", or upper case that would let two spellings name one blob).
 *
 * <p>Most code should not hold a bare {@code Digest} but one of the two roles it plays:
 * {@link BlobDigest} (the digest of bytes as stored and transferred, usually compressed) or
 * {@link DiffId} (the digest of a layer's uncompressed tar stream). Keeping them distinct types
 * stops a compressed digest from being compared with a diffID, the classic way to accept an
 * unverified layer.
 */
public final class Digest {

    /** The digest algorithms jrun verifies; the OCI image spec registers exactly these two. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String prefix;
        private final String javaName;
        private final int hexLength;

        Algorithm(String prefix, String javaName, int hexLength) {
            this.prefix = prefix;
            this.javaName = javaName;
            this.hexLength = hexLength;
        }

        /** The name used in digests and in the store layout, e.g. {@code sha256}. */
        public String prefix() {
            return prefix;
        }

        /** The name {@link java.security.MessageDigest#getInstance} takes. */
        public String javaName() {
            return javaName;
        }

        public int hexLength() {
            return hexLength;
        }

        public java.security.MessageDigest newHasher() {
            try {
                return java.security.MessageDigest.getInstance(javaName);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK lacks " + javaName, e);
            }
        }

        static Algorithm byPrefix(String prefix) {
            for (Algorithm a : values()) {
                if (a.prefix.equals(prefix)) {
                    return a;
                }
            }
            return null;
        }
    }

    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

    private final Algorithm algorithm;
    private final String hex;

    private Digest(Algorithm algorithm, String hex) {
        this.algorithm = algorithm;
        this.hex = hex;
    }

    /**
     * Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}.
     *
     * @throws IllegalArgumentException naming the input and what a valid digest looks like
     */
    public static Digest parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("digest is missing (null): expected sha256:<64 lowercase hex digits>");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid digest \"" + shorten(text)
                    + "\": no algorithm prefix; expected sha256:<64 lowercase hex digits> or sha512:<128>");
        }
        Algorithm algorithm = Algorithm.byPrefix(text.substring(0, colon));
        if (algorithm == null) {
            throw new IllegalArgumentException("invalid digest \"" + shorten(text) + "\": algorithm \""
                    + shorten(text.substring(0, colon)) + "\" is not supported; jrun verifies sha256 and sha512 only");
        }
        return of(algorithm, text.substring(colon + 1));
    }

    /** A digest from an algorithm and its hex value, validated like {@link #parse}. */
    public static Digest of(Algorithm algorithm, String hex) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (hex == null || hex.length() != algorithm.hexLength() || !LOWER_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid digest \"" + algorithm.prefix() + ":" + shorten(String.valueOf(hex))
                    + "\": a " + algorithm.prefix() + " digest is exactly " + algorithm.hexLength()
                    + " lowercase hex digits");
        }
        return new Digest(algorithm, hex);
    }

    /** A digest from raw hash bytes (as {@link java.security.MessageDigest#digest()} returns them). */
    public static Digest of(Algorithm algorithm, byte[] hash) {
        StringBuilder sb = new StringBuilder(hash.length * 2);
        for (byte b : hash) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return of(algorithm, sb.toString());
    }

    /**
     * Parses a digest that came from outside (a manifest, a registry, the command line);
     * {@code what} says where, for the message.
     */
    public static Digest parse(String text, String what) throws dev.jrun.errors.JrunException {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new dev.jrun.errors.JrunException(what + ": \"" + shorten(String.valueOf(text))
                    + "\" is not a valid digest: " + e.getMessage());
        }
    }

    /** The sha256 digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, Algorithm.SHA256.newHasher().digest(content));
    }

    /** The digest of {@code content} with this digest's algorithm. */
    public Digest ofSameAlgorithm(byte[] content) {
        return of(algorithm, newHasher().digest(content));
    }

    /** A fresh hasher for this digest's algorithm. */
    public java.security.MessageDigest newHasher() {
        return algorithm.newHasher();
    }

    /** Whether what {@code hasher} has seen hashes to this digest. */
    public boolean matches(java.security.MessageDigest hasher) {
        return equals(of(algorithm, hasher.digest()));
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The hex part only; safe as a single file name component. */
    public String hex() {
        return hex;
    }

    /** The first 12 hex digits, as {@code podman images} shows IDs. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest && ((Digest) o).algorithm == algorithm && ((Digest) o).hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + hex.hashCode();
    }

    @Override
    public String toString() {
        return algorithm.prefix() + ":" + hex;
    }

    // Error messages quote the input; a hostile manifest must not be able to flood the terminal.
    static String shorten(String s) {
        return s.length() <= 140 ? s : s.substring(0, 140) + "...(" + s.length() + " characters)";
    }
}
