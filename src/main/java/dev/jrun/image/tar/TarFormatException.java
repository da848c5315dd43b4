package dev.jrun.image.tar;

import java.io.IOException;

/**
 * The tar stream is not one that Go's {@code archive/tar} (what Docker and containers/storage
 * read layers with) would read: a header that fails its checksum or cannot be parsed, data cut
 * short, a metadata entry too large to hold. Carries the offset of the block at fault, in the
 * uncompressed stream, so a message can point at it.
 */
public final class TarFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for the caller's advice (a truncated download is fetched again; a malformed file is not). */
    public enum Kind {
        /** A header or metadata record that no tar reader accepts. */
        MALFORMED,
        /** The stream ended inside a header or an entry's data. */
        TRUNCATED,
        /** A GNU long name or PAX header larger than {@link TarReader#MAX_METADATA_BYTES}. */
        METADATA_TOO_LARGE
    }

    private final Kind kind;
    private final long offset;

    public TarFormatException(Kind kind, long offset, String reason) {
        super(reason + " (at byte " + offset + " of the tar stream)");
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** Byte offset of the header block at fault in the uncompressed tar stream. */
    public long offset() {
        return offset;
    }
}
