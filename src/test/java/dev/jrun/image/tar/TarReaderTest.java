package dev.jrun.image.tar;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TarReader against hand-made headers, for the readings of Go's archive/tar that matter to layers. */
class TarReaderTest {

    /** A ustar header; fields given as the exact bytes to store. */
    private static byte[] header(String name, char type, byte[] size, byte[] uid) {
        byte[] b = new byte[512];
        put(b, 0, name.getBytes(StandardCharsets.ISO_8859_1));
        put(b, 100, "0000644\0".getBytes(StandardCharsets.US_ASCII));
        put(b, 108, uid);
        put(b, 116, "0000000\0".getBytes(StandardCharsets.US_ASCII));
        put(b, 124, size);
        put(b, 136, "13000000000\0".getBytes(StandardCharsets.US_ASCII));
        b[156] = (byte) type;
        put(b, 257, "ustar\00000".getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(b, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        put(b, 148, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    private static byte[] header(String name, char type, long size) {
        return header(name, type, String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII),
                "0000000\0".getBytes(StandardCharsets.US_ASCII));
    }

    private static void put(byte[] b, int off, byte[] v) {
        System.arraycopy(v, 0, b, off, v.length);
    }

    private static byte[] padded(String data) {
        byte[] d = data.getBytes(StandardCharsets.ISO_8859_1);
        return Arrays.copyOf(d, (d.length + 511) / 512 * 512);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final byte[] END = new byte[1024];

    private record Read(TarHeader header, String data) {
    }

    private static List<Read> read(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        List<Read> out = new ArrayList<>();
        for (TarHeader h; (h = r.next()) != null; ) {
            out.add(new Read(h, new String(r.data().readAllBytes(), StandardCharsets.ISO_8859_1)));
        }
        return out;
    }

    private static TarFormatException refused(byte[] tar, TarFormatException.Kind kind) {
        TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void baseTwoFiftySixNumbersAreRead() throws IOException {
        byte[] size = new byte[12];
        size[0] = (byte) 0x80;
        size[11] = 3;
        byte[] uid = new byte[8];
        uid[0] = (byte) 0x80;
        uid[5] = 0x01; // 65536 * 1
        List<Read> got = read(concat(header("big", '0', size, uid), padded("abc"), END));
        assertEquals(3, got.get(0).header().size());
        assertEquals(65536, got.get(0).header().uid());
        assertEquals("abc", got.get(0).data());
    }

    @Test
    void aNegativeSizeIsRefused() {
        byte[] size = new byte[12];
        Arrays.fill(size, (byte) 0xff); // base-256 -1
        refused(concat(header("neg", '0', size, "0000000\0".getBytes(StandardCharsets.US_ASCII)), END),
                TarFormatException.Kind.MALFORMED);
    }

    @Test
    void theStreamMayEndAtABlockBoundaryWithoutEndBlocks() throws IOException {
        List<Read> got = read(concat(header("a", '0', 2), padded("hi")));
        assertEquals(1, got.size());
        assertEquals("hi", got.get(0).data());
    }

    @Test
    void aZeroBlockFollowedByAHeaderIsRefusedNotTakenAsTheEnd() {
        TarFormatException e = refused(concat(header("a", '0', 0), new byte[512], header("b", '0', 0), END),
                TarFormatException.Kind.MALFORMED);
        assertEquals(1024, e.offset());
    }

    @Test
    void fileDataThatLooksLikeAHugeLongNameHeaderIsJustData() throws IOException {
        byte[] inner = header("././@LongLink", 'L', 2L << 20); // would be refused as a header
        List<Read> got = read(concat(header("inner.tar", '0', 512), inner, header("after", '0', 0), END));
        assertEquals(List.of("inner.tar", "after"), got.stream().map(r -> r.header().displayName()).toList());
    }

    @Test
    void theUstarPrefixIsJoinedToTheName() throws IOException {
        byte[] h = header("file", '0', 0);
        put(h, 345, "some/prefix".getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        put(h, 148, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
        assertEquals("some/prefix/file", read(concat(h, END)).get(0).header().displayName());
    }

    @Test
    void paxRecordsAreValidatedAsGoDoes() {
        String badLength = "99 path=x\n";
        refused(concat(header("p", 'x', badLength.length()), padded(badLength), header("f", '0', 0), END),
                TarFormatException.Kind.MALFORMED);
        String nulPath = "12 path=a\0b\n";
        refused(concat(header("p", 'x', nulPath.length()), padded(nulPath), header("f", '0', 0), END),
                TarFormatException.Kind.MALFORMED);
    }

    @Test
    void paxValuesKeepTheirBytes() throws IOException {
        String record = "14 path=caf\u00ff\u00fe\n"; // ISO-8859-1 chars = raw bytes 0xff 0xfe
        List<Read> got = read(concat(header("p", 'x', record.length()), padded(record), header("f", '0', 0), END));
        assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0xff, (byte) 0xfe}, got.get(0).header().name());
    }

    @Test
    void dataCutShortIsATruncation() {
        byte[] tar = concat(header("a", '0', 1000), padded("x".repeat(300)));
        TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
        assertEquals(TarFormatException.Kind.TRUNCATED, e.kind());
        assertTrue(e.getMessage().contains("bytes short"), e.getMessage());
    }

    @Test
    void aGlobalPaxHeaderIsReturnedForTheCallerToIgnore() throws IOException {
        String record = "17 comment=hello\n";
        List<Read> got = read(concat(header("g", 'g', record.length()), padded(record), header("f", '0', 0), END));
        assertEquals(TarHeader.PAX_GLOBAL, got.get(0).header().type());
        assertEquals("f", got.get(1).header().displayName());
    }
}
