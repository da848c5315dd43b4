package dev.jrun.image;

/**
 * Caps on an image archive read by {@code jrun load} or {@code jrun import}: the archive is
 * hostile input, and these keep a bomb from filling the disk or the heap.
 *
 * @param maxTotalBytes bytes of the (uncompressed) archive stream, headers included
 * @param maxEntries    entries in the archive
 * @param maxJsonBytes  one JSON document (manifest.json, index.json, a manifest, a config), read into memory
 */
public record ArchiveLimits(long maxTotalBytes, long maxEntries, int maxJsonBytes) {
    public ArchiveLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxJsonBytes <= 0) {
            throw new IllegalArgumentException("archive limits must be positive: " + maxTotalBytes + ", " + maxEntries
                    + ", " + maxJsonBytes);
        }
    }

    /** 64 GiB, a million entries, 16 MiB per JSON document (the registry client's config limit). */
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(64L << 30, 1_000_000, 16 << 20);
    }
}
