package dev.jrun.image.layer;

/**
 * Caps against decompression bombs and absurd archives. A layer exceeding any of them is
 * refused as a whole, with a message naming the limit.
 *
 * @param maxTotalBytes   uncompressed bytes of the tar stream (headers included)
 * @param maxEntryBytes   size of one regular file
 * @param maxEntries      number of tar entries
 * @param maxNameLength   bytes of one entry name or link target (Linux PATH_MAX is 4096)
 * @param maxDepth        path components in one entry name
 * @param maxXattrBytes   total size of one entry's extended attributes
 */
public record UnpackLimits(long maxTotalBytes, long maxEntryBytes, long maxEntries, int maxNameLength,
                           int maxDepth, int maxXattrBytes) {

    public UnpackLimits {
        if (maxTotalBytes <= 0 || maxEntryBytes <= 0 || maxEntries <= 0 || maxNameLength <= 0 || maxDepth <= 0
                || maxXattrBytes < 0) {
            throw new IllegalArgumentException("unpack limits must be positive: " + maxTotalBytes + ", " + maxEntryBytes
                    + ", " + maxEntries + ", " + maxNameLength + ", " + maxDepth + ", " + maxXattrBytes);
        }
    }

    /** 64 GiB total, 32 GiB per file, 4 million entries, 4096-byte names, 256 levels, 64 KiB xattrs. */
    public static UnpackLimits defaults() {
        return new UnpackLimits(64L << 30, 32L << 30, 4_000_000, 4096, 256, 64 << 10);
    }

    public UnpackLimits withMaxTotalBytes(long bytes) {
        return new UnpackLimits(bytes, Math.min(maxEntryBytes, bytes), maxEntries, maxNameLength, maxDepth, maxXattrBytes);
    }

    public UnpackLimits withMaxEntries(long entries) {
        return new UnpackLimits(maxTotalBytes, maxEntryBytes, entries, maxNameLength, maxDepth, maxXattrBytes);
    }

    public UnpackLimits withMaxDepth(int depth) {
        return new UnpackLimits(maxTotalBytes, maxEntryBytes, maxEntries, maxNameLength, depth, maxXattrBytes);
    }
}
