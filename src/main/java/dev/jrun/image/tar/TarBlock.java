package dev.jrun.image.tar;

import java.util.Arrays;

/**
 * The fields of one 512-byte tar header block and how to parse them, following Go's
 * {@code archive/tar} ({@code format.go}, {@code strconv.go}): the bar jrun reads layers by is
 * what Docker and containers/storage accept, and they read with that package.
 */
final class TarBlock {
    static final int SIZE = 512;

    // V7 fields (all formats)
    static final int NAME = 0, NAME_LEN = 100;
    static final int MODE = 100, UID = 108, GID = 116, ID_LEN = 8;
    static final int SIZE_FIELD = 124, SIZE_LEN = 12;
    static final int MTIME = 136, MTIME_LEN = 12;
    static final int CHKSUM = 148, CHKSUM_LEN = 8;
    static final int TYPE = 156;
    static final int LINKNAME = 157, LINKNAME_LEN = 100;
    // USTAR
    static final int MAGIC = 257, VERSION = 263;
    static final int PREFIX = 345, PREFIX_LEN = 155;
    // STAR (ustar magic and "tar\0" at 508): a shorter prefix
    static final int STAR_PREFIX_LEN = 131, STAR_TRAILER = 508;
    // GNU
    static final int GNU_SPARSE = 386, GNU_IS_EXTENDED = 482, GNU_REAL_SIZE = 483;
    static final int GNU_SPARSE_ENTRIES = 4;
    // GNU sparse extension block
    static final int EXT_SPARSE_ENTRIES = 21, EXT_IS_EXTENDED = 504;
    static final int SPARSE_ENTRY_LEN = 24, SPARSE_NUMBER_LEN = 12;

    enum Format { V7, USTAR, STAR, GNU }

    private TarBlock() {
    }

    static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Go's {@code getFormat}: null when the checksum does not match (either the unsigned or the
     * historical signed sum is accepted), else the format the magic says; no magic is V7.
     */
    static Format format(byte[] b) {
        Parser p = new Parser();
        long stored = p.octal(b, CHKSUM, CHKSUM_LEN);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < SIZE; i++) {
            int c = (i >= CHKSUM && i < CHKSUM + CHKSUM_LEN) ? ' ' : b[i];
            unsigned += c & 0xff;
            signed += (byte) c;
        }
        if (p.failed || (stored != unsigned && stored != signed)) {
            return null;
        }
        boolean ustarMagic = matches(b, MAGIC, "ustar\0");
        if (ustarMagic && matches(b, STAR_TRAILER, "tar\0")) {
            return Format.STAR;
        }
        if (ustarMagic) {
            return Format.USTAR;
        }
        if (matches(b, MAGIC, "ustar ") && matches(b, VERSION, " \0")) {
            return Format.GNU;
        }
        return Format.V7;
    }

    private static boolean matches(byte[] b, int off, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (b[off + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A C string: up to the first NUL, or the whole field. */
    static byte[] string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(b, off, end);
    }

    /**
     * Go's numeric field parser; records a failure instead of throwing so that a header is
     * judged as a whole, as Go does.
     */
    static final class Parser {
        boolean failed;

        /** Base-256 (first byte's high bit set, two's complement) or octal. */
        long numeric(byte[] b, int off, int len) {
            if (len > 0 && (b[off] & 0x80) != 0) {
                int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
                long x = 0;
                for (int i = 0; i < len; i++) {
                    int c = (b[off + i] & 0xff) ^ inv;
                    if (i == 0) {
                        c &= 0x7f;
                    }
                    if ((x >>> 56) > 0) {
                        failed = true;
                        return 0;
                    }
                    x = x << 8 | c;
                }
                if ((x >>> 63) > 0) {
                    failed = true;
                    return 0;
                }
                return inv == 0xff ? ~x : x;
            }
            return octal(b, off, len);
        }

        /**
         * Octal, leniently as Go reads it: leading and trailing spaces and NULs are trimmed
         * (writers pad either way, and an unused field is all NULs, read as 0), then the digits
         * up to the first NUL count.
         */
        long octal(byte[] b, int off, int len) {
            int start = off;
            int end = off + len;
            while (start < end && (b[start] == ' ' || b[start] == 0)) {
                start++;
            }
            while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
                end--;
            }
            if (start == end) {
                return 0;
            }
            for (int i = start; i < end; i++) {
                if (b[i] == 0) {
                    end = i;
                    break;
                }
            }
            long x = 0;
            for (int i = start; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 7 || (x >>> 61) != 0) {
                    failed = true; // not an octal digit, or more than 64 bits
                    return 0;
                }
                x = x << 3 | d;
            }
            return x;
        }
    }
}
