package dev.jrun.image.tar;

import dev.jrun.image.tar.TarFormatException.Kind;
import dev.jrun.image.tar.TarHeader.SparseFragment;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GNU sparse maps in their four encodings, read as Go's {@code archive/tar} reads them: the old
 * GNU header (type 'S', four fragments in the header and 21 in each extension block), PAX 0.0
 * (repeated offset/numbytes records), 0.1 (one comma-separated map record) and 1.0 (the map in
 * decimal lines at the start of the entry's data, padded to a block).
 */
final class SparseMaps {
    /** At most this many fragments: each costs memory, and the map is the writer's word alone. */
    static final int MAX_FRAGMENTS = TarReader.MAX_METADATA_BYTES / 16;

    private SparseMaps() {
    }

    @FunctionalInterface
    interface BlockSource {
        byte[] next(long at) throws IOException;
    }

    static List<SparseFragment> oldGnu(byte[] header, BlockSource more, long at) throws IOException {
        List<SparseFragment> out = new ArrayList<>();
        TarBlock.Parser p = new TarBlock.Parser();
        byte[] b = header;
        int base = TarBlock.GNU_SPARSE;
        int count = TarBlock.GNU_SPARSE_ENTRIES;
        int extendedAt = TarBlock.GNU_IS_EXTENDED;
        while (true) {
            for (int i = 0; i < count; i++) {
                int off = base + i * TarBlock.SPARSE_ENTRY_LEN;
                if (b[off] == 0) {
                    break; // as GNU and BSD tar: an empty offset ends the list in this block
                }
                long offset = p.numeric(b, off, TarBlock.SPARSE_NUMBER_LEN);
                long length = p.numeric(b, off + TarBlock.SPARSE_NUMBER_LEN, TarBlock.SPARSE_NUMBER_LEN);
                if (p.failed) {
                    throw new TarFormatException(Kind.MALFORMED, at, "a GNU sparse map has a field that is not a number");
                }
                out.add(new SparseFragment(offset, length));
            }
            if (out.size() > MAX_FRAGMENTS) {
                throw new TarFormatException(Kind.METADATA_TOO_LARGE, at, "a GNU sparse map lists more than "
                        + MAX_FRAGMENTS + " fragments");
            }
            if (b[extendedAt] == 0) {
                return out;
            }
            b = more.next(at);
            base = 0;
            count = TarBlock.EXT_SPARSE_ENTRIES;
            extendedAt = TarBlock.EXT_IS_EXTENDED;
        }
    }

    /** What the PAX records say about a sparse file; null when they do not make it one. */
    record PaxSparse(boolean version1, byte[] name, long realSize, List<SparseFragment> fragments) {
    }

    static PaxSparse pax(Map<String, String> records, long at) throws TarFormatException {
        String major = records.getOrDefault(PaxRecords.SPARSE_MAJOR, "");
        String minor = records.getOrDefault(PaxRecords.SPARSE_MINOR, "");
        boolean version1;
        if (major.equals("0") && (minor.equals("0") || minor.equals("1"))) {
            version1 = false;
        } else if (major.equals("1") && minor.equals("0")) {
            version1 = true;
        } else if (!major.isEmpty() || !minor.isEmpty()) {
            return null; // an unknown version: Go reads the entry as a plain file
        } else if (!records.getOrDefault(PaxRecords.SPARSE_MAP, "").isEmpty()) {
            version1 = false; // 0.0 and 0.1 carry no version records
        } else {
            return null;
        }
        String name = records.getOrDefault(PaxRecords.SPARSE_NAME, "");
        String size = records.getOrDefault(PaxRecords.SPARSE_SIZE, "");
        if (size.isEmpty()) {
            size = records.getOrDefault(PaxRecords.SPARSE_REALSIZE, "");
        }
        long realSize = -1;
        if (!size.isEmpty()) {
            realSize = PaxRecords.decimal(size);
            if (realSize == Long.MIN_VALUE) {
                throw new TarFormatException(Kind.MALFORMED, at, "a PAX sparse size record is not a number");
            }
        }
        List<SparseFragment> fragments = version1 ? null : version0(records, at);
        return new PaxSparse(version1, name.isEmpty() ? null : PaxRecords.raw(name), realSize, fragments);
    }

    private static List<SparseFragment> version0(Map<String, String> records, long at) throws TarFormatException {
        long count = PaxRecords.decimal(records.getOrDefault(PaxRecords.SPARSE_NUMBLOCKS, ""));
        String map = records.getOrDefault(PaxRecords.SPARSE_MAP, "");
        String[] numbers = map.isEmpty() ? new String[0] : map.split(",", -1);
        if (count < 0 || count > MAX_FRAGMENTS || numbers.length != 2 * count) {
            throw new TarFormatException(Kind.MALFORMED, at, "a PAX sparse map does not hold the "
                    + "GNU.sparse.numblocks fragments it announces");
        }
        return pairs(numbers, at);
    }

    /** Format 1.0: the map is at the start of the data, in decimal lines, padded to whole blocks. */
    static List<SparseFragment> version1(InputStream data, long at) throws IOException {
        StringBuilder text = new StringBuilder();
        int pos = 0;
        String countLine = line(data, text, pos, at);
        pos += countLine.length() + 1;
        long count = PaxRecords.decimal(countLine);
        if (count < 0 || count > MAX_FRAGMENTS) {
            throw new TarFormatException(Kind.MALFORMED, at, "a sparse map (PAX 1.0) has a bad fragment count");
        }
        String[] numbers = new String[(int) (2 * count)];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = line(data, text, pos, at);
            pos += numbers[i].length() + 1;
        }
        return pairs(numbers, at);
    }

    /** The line starting at {@code pos}, reading whole blocks as Go does (never more than needed). */
    private static String line(InputStream data, StringBuilder text, int pos, long at) throws IOException {
        while (true) {
            int nl = text.indexOf("\n", pos);
            if (nl >= 0) {
                return text.substring(pos, nl);
            }
            if (text.length() >= TarReader.MAX_METADATA_BYTES) {
                throw new TarFormatException(Kind.METADATA_TOO_LARGE, at, "a sparse map (PAX 1.0) is larger than "
                        + TarReader.MAX_METADATA_BYTES + " bytes");
            }
            byte[] b = data.readNBytes(TarBlock.SIZE);
            if (b.length < TarBlock.SIZE) {
                throw new TarFormatException(Kind.TRUNCATED, at, "a sparse file's data ends inside its map");
            }
            text.append(PaxRecords.bytes(b));
        }
    }

    private static List<SparseFragment> pairs(String[] numbers, long at) throws TarFormatException {
        List<SparseFragment> out = new ArrayList<>(numbers.length / 2);
        for (int i = 0; i + 1 < numbers.length; i += 2) {
            long offset = PaxRecords.decimal(numbers[i]);
            long length = PaxRecords.decimal(numbers[i + 1]);
            if (offset == Long.MIN_VALUE || length == Long.MIN_VALUE) {
                throw new TarFormatException(Kind.MALFORMED, at, "a sparse map has an entry that is not a number");
            }
            out.add(new SparseFragment(offset, length));
        }
        return out;
    }

    /** Go's {@code validateSparseEntries} (the checks BSD tar makes). */
    static boolean valid(List<SparseFragment> fragments, long size) {
        if (size < 0) {
            return false;
        }
        long previousEnd = 0;
        for (SparseFragment f : fragments) {
            if (f.offset() < 0 || f.length() < 0 || f.offset() > Long.MAX_VALUE - f.length()
                    || f.offset() + f.length() > size || previousEnd > f.offset()) {
                return false;
            }
            previousEnd = f.offset() + f.length();
        }
        return true;
    }
}
