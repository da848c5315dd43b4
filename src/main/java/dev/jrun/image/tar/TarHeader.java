package dev.jrun.image.tar;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One entry of a tar archive as {@link TarReader} read it, after GNU long names, PAX records
 * and sparse maps were applied. Names are the archive's bytes: Linux names are bytes, and Docker
 * keeps them as they are (a name that is not UTF-8 stays what it was).
 *
 * @param offset   byte offset of the entry's first header block (its GNU or PAX header, if any)
 * @param type     the type flag; {@code '\0'} already resolved to {@code '0'} or {@code '5'} as Go does
 * @param name     the entry name, raw bytes
 * @param linkName the link target, raw bytes (empty when none)
 * @param mode     permission and set-id/sticky bits as stored (not masked)
 * @param size     logical size: for a sparse file its real size, for types that carry no data 0 is
 *                 not implied (the header may say anything; see {@link #carriesData()})
 * @param mtimeSeconds  modification time, seconds since the epoch
 * @param mtimeNanos    its fraction (PAX mtime), nanoseconds
 * @param xattrs   {@code SCHILY.xattr.NAME} PAX records: NAME -> raw value
 * @param sparse   for a sparse file its data fragments (offset, length) in order, else null
 */
public record TarHeader(long offset, byte type, byte[] name, byte[] linkName, long mode, long uid, long gid,
                        long size, long mtimeSeconds, int mtimeNanos, Map<String, byte[]> xattrs,
                        List<SparseFragment> sparse) {

    public static final byte REGULAR = '0';
    public static final byte HARD_LINK = '1';
    public static final byte SYMLINK = '2';
    public static final byte CHAR_DEVICE = '3';
    public static final byte BLOCK_DEVICE = '4';
    public static final byte DIRECTORY = '5';
    public static final byte FIFO = '6';
    public static final byte CONTIGUOUS = '7';
    public static final byte PAX_GLOBAL = 'g';
    /** GNU incremental dump directory: a directory whose data is a listing of its content. */
    public static final byte GNU_DUMP_DIR = 'D';
    public static final byte GNU_SPARSE = 'S';

    /** One data fragment of a sparse file: {@code length} bytes at {@code offset}; the rest is holes. */
    public record SparseFragment(long offset, long length) {
    }

    /**
     * Go's {@code isHeaderOnlyType}: links, devices, directories and fifos have no data whatever
     * their size field says; some writers put a size there, and reading it as data would take
     * file content for headers.
     */
    static boolean headerOnly(byte type) {
        return type == HARD_LINK || type == SYMLINK || type == CHAR_DEVICE || type == BLOCK_DEVICE
                || type == DIRECTORY || type == FIFO;
    }

    public boolean carriesData() {
        return !headerOnly(type);
    }

    public boolean isDirectory() {
        return type == DIRECTORY || type == GNU_DUMP_DIR;
    }

    /** The name for messages: UTF-8 where it is, U+FFFD where it is not. */
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public String displayLinkName() {
        return new String(linkName, StandardCharsets.UTF_8);
    }
}
