package dev.jrun.image.tar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one PAX extended header ({@code "%d %s=%s\n"}), parsed as Go's
 * {@code parsePAX} does. Keys and values are kept as bytes in ISO-8859-1 strings (one char per
 * byte), so a path that is not UTF-8, or one written under {@code hdrcharset=BINARY}, keeps its
 * bytes; Go treats them the same way (its strings are bytes).
 */
final class PaxRecords {
    static final String PATH = "path";
    static final String LINKPATH = "linkpath";
    static final String SIZE = "size";
    static final String UID = "uid";
    static final String GID = "gid";
    static final String MTIME = "mtime";
    static final String XATTR_PREFIX = "SCHILY.xattr.";
    static final String SPARSE_NUMBLOCKS = "GNU.sparse.numblocks";
    static final String SPARSE_OFFSET = "GNU.sparse.offset";
    static final String SPARSE_NUMBYTES = "GNU.sparse.numbytes";
    static final String SPARSE_MAP = "GNU.sparse.map";
    static final String SPARSE_NAME = "GNU.sparse.name";
    static final String SPARSE_MAJOR = "GNU.sparse.major";
    static final String SPARSE_MINOR = "GNU.sparse.minor";
    static final String SPARSE_SIZE = "GNU.sparse.size";
    static final String SPARSE_REALSIZE = "GNU.sparse.realsize";

    private PaxRecords() {
    }

    /** Byte string (ISO-8859-1) of raw bytes. */
    static String bytes(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] raw(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Parses the records; the sparse format 0.0's repeated offset/numbytes pairs are joined into
     * one {@code GNU.sparse.map} as in format 0.1.
     *
     * @return null if any record is malformed
     */
    static Map<String, String> parse(byte[] data) {
        String s = bytes(data);
        Map<String, String> records = new HashMap<>();
        List<String> sparseMap = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            int sp = s.indexOf(' ', pos);
            if (sp < 0) {
                return null;
            }
            long n = decimal(s.substring(pos, sp));
            if (n < 5 || n > s.length() - pos) {
                return null;
            }
            int end = pos + (int) n;
            if (end <= sp + 1 || s.charAt(end - 1) != '\n') {
                return null;
            }
            String rec = s.substring(sp + 1, end - 1);
            int eq = rec.indexOf('=');
            if (eq < 0) {
                return null;
            }
            String key = rec.substring(0, eq);
            String value = rec.substring(eq + 1);
            if (!valid(key, value)) {
                return null;
            }
            pos = end;
            if (key.equals(SPARSE_OFFSET) || key.equals(SPARSE_NUMBYTES)) {
                // Format 0.0: pairs in order, offset first; Go validates the same way.
                boolean wantOffset = sparseMap.size() % 2 == 0;
                if (wantOffset != key.equals(SPARSE_OFFSET) || value.contains(",")) {
                    return null;
                }
                sparseMap.add(value);
            } else {
                records.put(key, value);
            }
        }
        if (!sparseMap.isEmpty()) {
            records.put(SPARSE_MAP, String.join(",", sparseMap));
        }
        return records;
    }

    /** Go's {@code validPAXRecord}: names and user/group names must not hold NUL; keys never. */
    private static boolean valid(String key, String value) {
        if (key.isEmpty() || key.indexOf('=') >= 0) {
            return false;
        }
        if (key.equals(PATH) || key.equals(LINKPATH) || key.equals("uname") || key.equals("gname")) {
            return value.indexOf('\0') < 0;
        }
        return key.indexOf('\0') < 0;
    }

    /**
     * A signed decimal as Go's {@code strconv.ParseInt(s, 10, 64)} reads it (optional sign,
     * digits only); {@code Long.MIN_VALUE} when it is not one.
     */
    static long decimal(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return Long.MIN_VALUE;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean sign = i == 0 && (c == '+' || c == '-') && s.length() > 1;
            if (!sign && (c < '0' || c > '9')) {
                return Long.MIN_VALUE;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
