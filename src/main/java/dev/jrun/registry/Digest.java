package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec defines it ({@code algorithm:encoded}); only sha256 and
 * sha512 are accepted, with exactly their hex lengths, because a digest is the only thing that
 * ties bytes from a registry to what the user asked for.
 */
public record Digest(String algorithm, String encoded) {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        int expected = expectedLength(algorithm);
        if (encoded == null || encoded.length() != expected || !HEX.matcher(encoded).matches()) {
            throw new IllegalArgumentException("a " + algorithm + " digest has " + expected
                    + " lower-case hex digits, not \"" + encoded + "\"");
        }
    }

    private static int expectedLength(String algorithm) {
        if ("sha256".equals(algorithm)) {
            return 64;
        }
        if ("sha512".equals(algorithm)) {
            return 128;
        }
        throw new IllegalArgumentException("digest algorithm \"" + algorithm + "\" is not supported (sha256 or sha512)");
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}; {@code what} names the input in the error. */
    public static Digest parse(String text, String what) throws JrunException {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new JrunException(what + ": \"" + text + "\" is not a digest; expected sha256:<64 hex digits>");
        }
        try {
            return new Digest(text.substring(0, colon), text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new JrunException(what + ": \"" + abbreviate(text) + "\" is not a valid digest: " + e.getMessage());
        }
    }

    public static Digest sha256(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(messageDigest("sha256").digest(content)));
    }

    /** The digest of {@code content} with this digest's algorithm. */
    public Digest ofSameAlgorithm(byte[] content) {
        return new Digest(algorithm, HexFormat.of().formatHex(newHasher().digest(content)));
    }

    /** A fresh hasher for this digest's algorithm, to hash a stream while it passes. */
    public MessageDigest newHasher() {
        return messageDigest(algorithm);
    }

    /** Whether {@code hasher} (from {@link #newHasher()}) saw exactly this content. */
    public boolean matches(MessageDigest hasher) {
        return encoded.equals(HexFormat.of().formatHex(hasher.digest()));
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 150 ? text.substring(0, 150) + "..." : text;
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }
}
