package dev.jrun.image.layer;

import dev.jrun.image.tar.TarHeader;

/**
 * What the tree writer does with an entry, by its type flag (never by a library's "is file",
 * which is also true for links: treating a link as a file would hide what it is).
 */
enum EntryType {
    FILE, DIRECTORY, SYMLINK, HARDLINK, SPECIAL, IGNORED, UNSUPPORTED;

    static EntryType of(TarHeader e) {
        if (e.sparse() != null) {
            return FILE;
        }
        switch (e.type()) {
            case TarHeader.REGULAR, TarHeader.CONTIGUOUS:
                return FILE;
            case TarHeader.DIRECTORY, TarHeader.GNU_DUMP_DIR:
                // 'D' (GNU incremental dump) is a directory whose data lists its content; GNU
                // tar extracts it as the directory, the listing is only for incremental restores.
                return DIRECTORY;
            case TarHeader.SYMLINK:
                return SYMLINK;
            case TarHeader.HARD_LINK:
                return HARDLINK;
            case TarHeader.CHAR_DEVICE, TarHeader.BLOCK_DEVICE, TarHeader.FIFO:
                return SPECIAL;
            case TarHeader.PAX_GLOBAL:
                // Docker and containers/storage ignore global PAX headers; so do we.
                return IGNORED;
            default:
                return UNSUPPORTED;
        }
    }
}
