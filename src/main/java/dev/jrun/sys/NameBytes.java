package dev.jrun.sys;

import java.nio.charset.StandardCharsets;

/**
 * Linux names are bytes; jrun holds them in Java strings as UTF-8 where they are, and each byte
 * that is not valid UTF-8 as the lone surrogate U+DC80..U+DCFF (PEP 383's "surrogateescape"),
 * as the layer reader decodes them. This is the one place that turns such a string back into
 * the bytes the kernel gets: the layer unpacker for its files, and the operation list for the
 * child's system calls (a chown in the user namespace of a file whose name is not UTF-8).
 */
public final class NameBytes {
    private NameBytes() {}

    /** True if {@code s} holds bytes that are not UTF-8. */
    public static boolean isRaw(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isEscape(s, i)) return true;
        }
        return false;
    }

    /** The bytes {@code s} stands for. */
    public static byte[] encode(String s) {
        if (!isRaw(s)) return s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            boolean escape = i < s.length() && isEscape(s, i);
            if (escape || i == s.length()) {
                out.writeBytes(s.substring(start, i).getBytes(StandardCharsets.UTF_8));
                if (escape) out.write(s.charAt(i) & 0xff);
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    private static boolean isEscape(String s, int i) {
        char c = s.charAt(i);
        return c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
