package dev.jrun.oci;

import dev.jrun.store.DigestingInputStream;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigestTest {
    static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void parsesSha256AndSha512() {
        Digest d = Digest.parse(EMPTY_SHA256);
        assertEquals(Digest.Algorithm.SHA256, d.algorithm());
        assertEquals(EMPTY_SHA256, d.toString());
        assertEquals("e3b0c44298fc", d.shortHex());
        assertEquals(Digest.Algorithm.SHA512, Digest.parse("sha512:" + "a".repeat(128)).algorithm());
    }

    @Test
    void refusesMalformedDigestsSayingWhy() {
        assertMessage("sha256:" + "A".repeat(64), "64 lowercase hex digits");
        assertMessage("sha256:" + "a".repeat(63), "64 lowercase hex digits");
        assertMessage("sha256:../../etc/passwd", "64 lowercase hex digits");
        assertMessage("md5:" + "a".repeat(32), "algorithm \"md5\" is not supported");
        assertMessage("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "no algorithm prefix");
        assertMessage("sha512:" + "a".repeat(64), "128 lowercase hex digits");
        assertMessage(null, "missing");
    }

    private static void assertMessage(String input, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(input));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void blobDigestAndDiffIdAreNeverEqual() {
        Digest d = Digest.parse(EMPTY_SHA256);
        assertNotEquals((Object) new BlobDigest(d), new DiffId(d));
        assertEquals(new DiffId(d), DiffId.parse(EMPTY_SHA256));
    }

    @Test
    void digestingInputStreamHashesWhatIsRead() throws Exception {
        byte[] data = "hello\n".getBytes(StandardCharsets.US_ASCII);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data), Digest.Algorithm.SHA256);
        in.skip(2);
        in.drain();
        assertEquals("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", in.digest().toString());
        assertEquals(6, in.count());
        DigestingInputStream empty = new DigestingInputStream(new ByteArrayInputStream(new byte[0]), Digest.Algorithm.SHA256);
        empty.drain();
        assertEquals(EMPTY_SHA256, empty.digest().toString());
    }
}
