package dev.jrun.image.layer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
            if (c.getBytes(StandardCharsets.UTF_8).length > 255) {
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
     * The name as Java's file API needs it: UTF-8, which is what Go-built layers hold. Names in
     * other encodings (Linux names are bytes) would need byte-level system calls, which the tree
     * writer does not make yet: such a layer is refused by name rather than written under a
     * mangled name.
     */
    static String decode(byte[] name, String what) throws LayerRefusedException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            throw new LayerRefusedException("layer " + what + " \"" + shorten(display(name)) + "\" is not valid UTF-8;"
                    + " jrun cannot yet write file names in other encodings, so it refuses the layer rather than"
                    + " change the name");
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
