package dev.jrun.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relocatable buffer jrun_blob_relocate reads: header, relocations, ops, then the data they point to. */
class OpEncoderTest {

    @Test
    void pointerSlotsHoldOffsetsOfTheirBytesAndNamesThatAreNotUtf8KeepTheirBytes() {
        // "hi\x80bye" as the layer reader holds it: the byte 0x80 as the lone surrogate U+DC80.
        String raw = "hi\uDC80bye";
        List<Op> ops = List.of(new Op.FchownAt(3, raw, 1000, 1000, 0, "/x"), new Op.Exit(0));
        ByteBuffer b = ByteBuffer.wrap(OpEncoder.encode(ops)).order(ByteOrder.nativeOrder());
        assertEquals(OpEncoder.MAGIC, b.getInt(0));
        assertEquals(2, b.getInt(4));
        int relocations = b.getInt(8);
        assertEquals(1, relocations, "one pointer: the name");
        int opsOffset = b.getInt(12);
        long slot = b.getLong(16);
        assertEquals(opsOffset + 40, slot, "s0 of the first op");
        int at = (int) b.getLong((int) slot);
        byte[] name = Arrays.copyOfRange(b.array(), at, at + 7);
        assertArrayEquals(new byte[] {'h', 'i', (byte) 0x80, 'b', 'y', 'e', 0}, name);
        assertEquals(OpCode.FCHOWNAT.code, b.getInt(opsOffset));
        assertEquals(1000, b.getLong(opsOffset + 16), "uid in n1");
    }
}
