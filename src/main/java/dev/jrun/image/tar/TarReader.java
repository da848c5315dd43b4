package dev.jrun.image.tar;

import dev.jrun.image.tar.TarFormatException.Kind;
import dev.jrun.image.tar.TarHeader.SparseFragment;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a tar stream entry by entry the way Go's {@code archive/tar} does (Docker and
 * containers/storage unpack layers with it; GNU tar 1.34 agrees on everything here):
 * <ul>
 *   <li>a header is a block whose checksum matches; anything else where a header is due is an
 *       error, never the end of the archive (two zero blocks or the end of the stream at a block
 *       boundary are the end);</li>
 *   <li>an entry's data is always skipped by its size before the next header is read, so file
 *       content is never parsed as a header; types that carry no data (links, directories,
 *       devices, fifos) are given none whatever their size field says;</li>
 *   <li>GNU long names/links and PAX headers apply to the next entry, the last of each kind
 *       winning; a GNU long name is cut at its first NUL;</li>
 *   <li>V7, USTAR, STAR, GNU and PAX headers, numeric fields in octal (padded with spaces or
 *       NULs either side) or base-256;</li>
 *   <li>sparse files in the old GNU format and the PAX formats 0.0, 0.1 and 1.0.</li>
 * </ul>
 * Metadata (long names, PAX records, sparse maps) is held in memory, so each is capped at
 * {@link #MAX_METADATA_BYTES}, as Go caps it.
 */
public final class TarReader {
    /** Go's {@code maxSpecialFileSize}: the largest GNU long name, PAX header or sparse map read. */
    public static final int MAX_METADATA_BYTES = 1 << 20;

    private final InputStream in;
    private final byte[] block = new byte[TarBlock.SIZE];
    private final EntryData data = new EntryData();
    private long position;
    /** Unread data bytes of the current entry, as stored in the archive. */
    private long remaining;
    private long padding;
    private boolean ended;
    private TarHeader current;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** Bytes consumed from the stream so far. */
    public long position() {
        return position;
    }

    /**
     * The next entry, or null at the end of the archive; the previous entry's unread data is
     * skipped. Global PAX headers are returned as entries of type {@code 'g'} (Docker ignores them).
     *
     * @throws TarFormatException the stream is not a tar archive Go would read
     */
    public TarHeader next() throws IOException {
        if (ended) {
            return null;
        }
        Map<String, String> pax = null;
        byte[] longName = null;
        byte[] longLink = null;
        long first = -1;
        while (true) {
            if (!skipRest()) {
                return end();
            }
            long at = position;
            if (first < 0) {
                first = at;
            }
            int n = readBlock();
            if (n == 0) {
                return end();
            }
            if (n < TarBlock.SIZE) {
                throw new TarFormatException(Kind.TRUNCATED, at, "the stream ends inside a header block");
            }
            if (TarBlock.isZero(block)) {
                int m = readBlock();
                if (m == 0 || (m == TarBlock.SIZE && TarBlock.isZero(block))) {
                    return end();
                }
                throw new TarFormatException(m < TarBlock.SIZE ? Kind.TRUNCATED : Kind.MALFORMED, at + TarBlock.SIZE,
                        "a zero block (end of archive) is followed by a block that is not one");
            }
            TarBlock.Format format = TarBlock.format(block);
            if (format == null) {
                throw new TarFormatException(Kind.MALFORMED, at,
                        "a block where a tar header is due fails its checksum: it is not a tar header");
            }
            Raw h = parse(format, at);
            remaining = TarHeader.headerOnly(h.type) ? 0 : h.size;
            padding = padding(remaining);
            switch (h.type) {
                case 'x', 'g' -> {
                    Map<String, String> records = PaxRecords.parse(readMetadata(at, "PAX header"));
                    if (records == null) {
                        throw new TarFormatException(Kind.MALFORMED, at, "a PAX extended header has a malformed record");
                    }
                    if (h.type == 'g') {
                        return current = new TarHeader(at, TarHeader.PAX_GLOBAL, h.name, new byte[0], 0, 0, 0, 0, 0, 0,
                                Map.of(), null);
                    }
                    pax = records; // a later PAX header replaces an earlier one, as in Go
                }
                case 'L' -> longName = cString(readMetadata(at, "GNU long name"));
                case 'K' -> longLink = cString(readMetadata(at, "GNU long link name"));
                default -> {
                    return current = entry(h, first, format, pax, longName, longLink);
                }
            }
        }
    }

    /** The current entry's data as stored (for a sparse file: its fragments, one after the other). */
    public InputStream data() {
        return data;
    }

    private TarHeader end() {
        ended = true;
        current = null;
        return null;
    }

    private TarHeader entry(Raw h, long first, TarBlock.Format format, Map<String, String> pax, byte[] longName,
                            byte[] longLink) throws IOException {
        byte[] name = h.name;
        byte[] link = h.link;
        long size = h.size;
        long uid = h.uid;
        long gid = h.gid;
        long mtime = h.mtime;
        int nanos = 0;
        Map<String, byte[]> xattrs = new HashMap<>();
        if (pax != null) {
            for (Map.Entry<String, String> r : pax.entrySet()) {
                String k = r.getKey();
                String v = r.getValue();
                if (v.isEmpty()) {
                    continue; // an empty value keeps the header's own
                }
                switch (k) {
                    case PaxRecords.PATH -> name = PaxRecords.raw(v);
                    case PaxRecords.LINKPATH -> link = PaxRecords.raw(v);
                    case PaxRecords.UID -> uid = paxNumber(v, k, h.offset);
                    case PaxRecords.GID -> gid = paxNumber(v, k, h.offset);
                    case PaxRecords.SIZE -> size = paxNumber(v, k, h.offset);
                    case PaxRecords.MTIME -> {
                        long[] t = paxTime(v, h.offset);
                        mtime = t[0];
                        nanos = (int) t[1];
                    }
                    default -> {
                        if (k.startsWith(PaxRecords.XATTR_PREFIX)) {
                            xattrs.put(k.substring(PaxRecords.XATTR_PREFIX.length()), PaxRecords.raw(v));
                        }
                    }
                }
            }
        }
        if (longName != null && longName.length > 0) {
            name = longName;
        }
        if (longLink != null && longLink.length > 0) {
            link = longLink;
        }
        byte type = h.type;
        if (type == 0) {
            // Legacy archives mark directories with a trailing slash only.
            type = name.length > 0 && name[name.length - 1] == '/' ? TarHeader.DIRECTORY : TarHeader.REGULAR;
        }
        if (size < 0) {
            throw new TarFormatException(Kind.MALFORMED, h.offset, "an entry declares a negative size");
        }
        remaining = TarHeader.headerOnly(type) ? 0 : size;
        padding = padding(remaining);

        List<SparseFragment> sparse = null;
        if (type == TarHeader.GNU_SPARSE) {
            if (format != TarBlock.Format.GNU) {
                throw new TarFormatException(Kind.MALFORMED, h.offset, "a sparse entry (type 'S') without a GNU header");
            }
            TarBlock.Parser p = new TarBlock.Parser();
            size = p.numeric(block, TarBlock.GNU_REAL_SIZE, TarBlock.SIZE_LEN);
            if (p.failed) {
                throw new TarFormatException(Kind.MALFORMED, h.offset, "a GNU sparse header has a bad real size");
            }
            sparse = SparseMaps.oldGnu(block, this::readExtensionBlock, h.offset);
        } else if (pax != null) {
            SparseMaps.PaxSparse ps = SparseMaps.pax(pax, h.offset);
            if (ps != null) {
                if (ps.name() != null) {
                    name = ps.name();
                }
                if (ps.realSize() >= 0) {
                    size = ps.realSize();
                }
                sparse = ps.version1() ? SparseMaps.version1(data, h.offset) : ps.fragments();
            }
        }
        if (sparse != null) {
            if (TarHeader.headerOnly(type) || !SparseMaps.valid(sparse, size)) {
                throw new TarFormatException(Kind.MALFORMED, h.offset,
                        "a sparse file's map has negative, overlapping or out-of-order fragments, or ones past its size");
            }
            long stored = 0;
            for (SparseFragment f : sparse) {
                stored += f.length();
            }
            if (stored != remaining) {
                throw new TarFormatException(Kind.MALFORMED, h.offset, "a sparse file's map lists " + stored
                        + " bytes of data but the archive stores " + remaining);
            }
        }
        return new TarHeader(first, type, name, link, h.mode, uid, gid, size, mtime, nanos, Map.copyOf(xattrs),
                sparse == null ? null : List.copyOf(sparse));
    }

    /** One header block's own fields. */
    private record Raw(long offset, byte type, byte[] name, byte[] link, long mode, long uid, long gid, long size,
                       long mtime) {
    }

    private Raw parse(TarBlock.Format format, long at) throws TarFormatException {
        TarBlock.Parser p = new TarBlock.Parser();
        byte type = block[TarBlock.TYPE];
        byte[] name = TarBlock.string(block, TarBlock.NAME, TarBlock.NAME_LEN);
        byte[] link = TarBlock.string(block, TarBlock.LINKNAME, TarBlock.LINKNAME_LEN);
        long size = p.numeric(block, TarBlock.SIZE_FIELD, TarBlock.SIZE_LEN);
        long mode = p.numeric(block, TarBlock.MODE, TarBlock.ID_LEN);
        long uid = p.numeric(block, TarBlock.UID, TarBlock.ID_LEN);
        long gid = p.numeric(block, TarBlock.GID, TarBlock.ID_LEN);
        long mtime = p.numeric(block, TarBlock.MTIME, TarBlock.MTIME_LEN);
        if (format != TarBlock.Format.V7) {
            p.numeric(block, 329, 8); // device numbers: unused here, but Go refuses a header whose are unreadable
            p.numeric(block, 337, 8);
            byte[] prefix = new byte[0];
            switch (format) {
                case USTAR -> prefix = TarBlock.string(block, TarBlock.PREFIX, TarBlock.PREFIX_LEN);
                case STAR -> prefix = TarBlock.string(block, TarBlock.PREFIX, TarBlock.STAR_PREFIX_LEN);
                case GNU -> {
                    // Go before 1.8 wrote a USTAR prefix into GNU headers where atime/ctime belong;
                    // Go reads such a header's prefix when those fields do not parse.
                    TarBlock.Parser times = new TarBlock.Parser();
                    if (block[345] != 0) {
                        times.numeric(block, 345, 12);
                    }
                    if (block[357] != 0) {
                        times.numeric(block, 357, 12);
                    }
                    if (times.failed) {
                        byte[] s = TarBlock.string(block, TarBlock.PREFIX, TarBlock.PREFIX_LEN);
                        boolean ascii = true;
                        for (byte c : s) {
                            ascii &= c >= 0;
                        }
                        if (ascii) {
                            prefix = s;
                        }
                    }
                }
                default -> { }
            }
            if (prefix.length > 0) {
                byte[] joined = new byte[prefix.length + 1 + name.length];
                System.arraycopy(prefix, 0, joined, 0, prefix.length);
                joined[prefix.length] = '/';
                System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
                name = joined;
            }
        }
        if (p.failed) {
            throw new TarFormatException(Kind.MALFORMED, at, "a tar header has a numeric field (size, mode, owner, time"
                    + " or device) that is neither octal nor base-256");
        }
        if (size < 0) {
            throw new TarFormatException(Kind.MALFORMED, at, "a tar header declares a negative size");
        }
        return new Raw(at, type, name, link, mode, uid, gid, size, mtime);
    }

    private static long padding(long n) {
        return -n & (TarBlock.SIZE - 1);
    }

    private static byte[] cString(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return java.util.Arrays.copyOf(b, i);
            }
        }
        return b;
    }

    private static long paxNumber(String v, String key, long at) throws TarFormatException {
        long n = PaxRecords.decimal(v);
        if (n == Long.MIN_VALUE) {
            throw new TarFormatException(Kind.MALFORMED, at, "a PAX record " + key + " is not a decimal number");
        }
        return n;
    }

    /** Go's {@code parsePAXTime}: seconds, optionally a fraction of up to nanoseconds. */
    private static long[] paxTime(String v, long at) throws TarFormatException {
        int dot = v.indexOf('.');
        String secs = dot < 0 ? v : v.substring(0, dot);
        String frac = dot < 0 ? "" : v.substring(dot + 1);
        long s = PaxRecords.decimal(secs);
        boolean digits = frac.chars().allMatch(c -> c >= '0' && c <= '9');
        if (s == Long.MIN_VALUE || !digits) {
            throw new TarFormatException(Kind.MALFORMED, at, "a PAX mtime record is not a time");
        }
        if (frac.isEmpty()) {
            return new long[] {s, 0};
        }
        frac = (frac + "000000000").substring(0, 9);
        long ns = Long.parseLong(frac);
        if (secs.startsWith("-") && ns > 0) {
            return new long[] {s - 1, 1_000_000_000L - ns};
        }
        return new long[] {s, ns};
    }

    /** Reads a metadata entry's data whole (it is consumed: no data remains for the entry). */
    private byte[] readMetadata(long at, String what) throws IOException {
        if (remaining > MAX_METADATA_BYTES) {
            throw new TarFormatException(Kind.METADATA_TOO_LARGE, at, "a " + what + " entry declares " + remaining
                    + " bytes, more than the " + MAX_METADATA_BYTES + " jrun reads into memory");
        }
        byte[] b = data.readNBytes((int) remaining);
        if (remaining > 0) {
            throw new TarFormatException(Kind.TRUNCATED, at, "the stream ends inside a " + what);
        }
        return b;
    }

    /** The next block of an old GNU sparse map; it lies between the header and the data. */
    private byte[] readExtensionBlock(long at) throws IOException {
        if (readBlock() < TarBlock.SIZE) {
            throw new TarFormatException(Kind.TRUNCATED, at, "the stream ends inside a GNU sparse map");
        }
        return block;
    }

    /** Skips what is left of the current entry; false if the stream ended cleanly in its padding. */
    private boolean skipRest() throws IOException {
        long at = current == null ? position : current.offset();
        if (remaining > 0) {
            data.skipNBytes(remaining);
        }
        if (padding > 0) {
            long skipped = skipUpTo(padding);
            if (skipped == 0) {
                return false; // Go: the end of the stream in the padding after the last entry ends the archive
            }
            if (skipped < padding) {
                throw new TarFormatException(Kind.TRUNCATED, at, "the stream ends inside an entry's padding");
            }
            padding = 0;
        }
        return true;
    }

    private long skipUpTo(long n) throws IOException {
        long done = 0;
        byte[] buf = new byte[TarBlock.SIZE];
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
            position += r;
        }
        return done;
    }

    /** Reads up to one block; returns how many bytes (less than a block only at the end of the stream). */
    private int readBlock() throws IOException {
        int n = in.readNBytes(block, 0, TarBlock.SIZE);
        position += n;
        return n;
    }

    /** The current entry's stored data; the end of the stream before its end is a truncation. */
    private final class EntryData extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                long at = position;
                throw new TarFormatException(Kind.TRUNCATED, at, "the stream ends inside the data of an entry, "
                        + remaining + " bytes short");
            }
            remaining -= n;
            position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long want = Math.min(n, remaining);
            long done = 0;
            byte[] buf = new byte[8192];
            while (done < want) {
                int r = read(buf, 0, (int) Math.min(buf.length, want - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }
    }
}
