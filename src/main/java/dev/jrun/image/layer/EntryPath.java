package dev.jrun.image.layer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An entry name or link target of a hostile archive, resolved to path components below the
 * layer root, or refused. The one place where archive names become paths.
 */
final class EntryPath {
    private EntryPath() {
    }

    /**
     * The components of {@code name}: empty and {@code .} components dropped, so a leading
     * {@code /} or {@code ./} is relative to the layer root (as tar(1) extracts), never the host's.
     *
     * @param what "entry" or "hard link target of ...", for messages
     */
    static List<String> components(byte[] name, String what, UnpackLimits limits) throws LayerRefusedException {
        String shown = display(name);
        for (byte b : name) {
            if (b == 0) {
                throw new LayerRefusedException("layer " + what + " \"" + shorten(shown.replace('\0', '?'))
                        + "\" contains a NUL byte: refusing the layer as malformed");
            }
        }
        if (name.length > limits.maxNameLength()) {
            throw new LayerRefusedException("layer " + what + " \"" + shorten(shown) + "\" is longer than "
                    + limits.maxNameLength() + " bytes (limit maxNameLength): refusing the layer");
        }
        String decoded = decode(name, what);
        List<String> out = new ArrayList<>();
        for (String c : decoded.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                // Zip Slip (CVE-2019-14271 and the 2014 docker tar breakouts CVE-2014-6407/-9356):
                // refuse outright rather than normalise, a ".." in a layer is never benign.
                throw new LayerRefusedException("layer " + what + " \"" + shorten(shown)
                        + "\" contains \"..\": refusing the layer (it tries to reach outside the image root)");
            }
            if (encode(c).length > 255) {
                // NAME_MAX on Linux file systems; say so instead of failing with ENAMETOOLONG later.
                throw new LayerRefusedException("layer " + what + " \"" + shorten(shown) + "\" has a component longer"
                        + " than 255 bytes, which Linux file systems cannot store: refusing the layer");
            }
            out.add(c);
        }
        if (out.size() > limits.maxDepth()) {
            throw new LayerRefusedException("layer " + what + " \"" + shorten(shown) + "\" is " + out.size()
                    + " directories deep, more than " + limits.maxDepth() + " (limit maxDepth): refusing the layer");
        }
        return out;
    }

    /**
     * The name as a Java string: UTF-8 where it is (what Go-built layers hold), and each byte
     * that is not valid UTF-8 as the lone surrogate U+DC80..U+DCFF (PEP 383's "surrogateescape"),
     * so that {@link #encode} gives back the archive's bytes exactly: Linux names are bytes, and
     * Docker keeps them as they are.
     */
    static String decode(byte[] name, String what) {
        StringBuilder out = new StringBuilder(name.length);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(name.length + 1);
        while (true) {
            java.nio.charset.CoderResult r = decoder.decode(in, chars, true);
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    chars.put((char) (0xDC00 | (in.get() & 0xff)));
                }
                continue;
            }
            decoder.flush(chars);
            break;
        }
        return out.append(chars.flip()).toString();
    }

    /** True if {@code s} holds bytes that are not UTF-8 (see {@link #decode}). */
    static boolean isRaw(String s) {
        return dev.jrun.sys.NameBytes.isRaw(s);
    }

    /** The bytes {@link #decode} read {@code s} from. */
    static byte[] encode(String s) {
        return dev.jrun.sys.NameBytes.encode(s);
    }

    /**
     * {@code dir/component}. A component that is not UTF-8 cannot go through
     * {@link Path#resolve(String)} (the JDK encodes strings with the platform charset); a file
     * URI carries any bytes percent-encoded, and the JDK's Unix file system turns it back into
     * exactly those bytes.
     */
    static Path resolve(Path dir, String component) {
        if (!isRaw(component)) {
            return dir.resolve(component);
        }
        StringBuilder uri = new StringBuilder(dir.toAbsolutePath().toUri().getRawPath());
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        percentEncode(encode(component), uri);
        return Path.of(java.net.URI.create("file://" + uri));
    }

    /** {@code root/rel} for a relative path of components joined by "/". */
    static Path resolveRelative(Path root, String rel) {
        Path p = root;
        if (!rel.isEmpty()) {
            for (String c : rel.split("/")) {
                p = resolve(p, c);
            }
        }
        return p;
    }

    /** The last component of {@code p} as {@link #decode} gives it, bytes that are not UTF-8 included. */
    static String fileName(Path p) {
        String raw = p.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        raw = raw.substring(raw.lastIndexOf('/') + 1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return decode(bytes.toByteArray(), "file name");
    }

    /** A symlink target, relative or absolute, with its bytes as the archive has them. */
    static Path linkTarget(String target) {
        if (!isRaw(target)) {
            return Path.of(target);
        }
        StringBuilder uri = new StringBuilder("/");
        percentEncode(encode(target.startsWith("/") ? target.substring(1) : target), uri);
        Path absolute = Path.of(java.net.URI.create("file://" + uri));
        return target.startsWith("/") ? absolute : absolute.getRoot().relativize(absolute);
    }

    private static void percentEncode(byte[] bytes, StringBuilder out) {
        for (byte b : bytes) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c == '~' || c == '/';
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
    }

    /** For messages: UTF-8 where valid, other bytes as \\xNN. */
    static String display(byte[] name) {
        StringBuilder s = new StringBuilder();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            for (byte b : name) {
                if (b >= 0x20 && b < 0x7f) {
                    s.append((char) b);
                } else {
                    s.append(String.format("\\x%02x", b & 0xff));
                }
            }
            return s.toString();
        }
    }

    /** Messages quote archive names; a hostile archive must not flood the terminal. */
    static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " characters)";
    }
}
