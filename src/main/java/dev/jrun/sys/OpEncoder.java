package dev.jrun.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays an operation list out as one relocatable buffer ({@code struct jrun_blob_header} in
 * {@code native/jrun.h}): the header, the offsets of every pointer slot, the
 * {@code struct jrun_op[]}, then the strings and arrays they point to. Pointers are written as
 * offsets from the start of the buffer; {@code jrun_blob_relocate} turns them into addresses
 * wherever the buffer lands, in the JVM's memory or in jrun-monitor's after a pipe.
 */
public final class OpEncoder {
    static final int OP_SIZE = 72;
    static final int MAGIC = 0x4a4f5053;   // "JOPS"
    private static final int HEADER = 16;
    private static final int ALIGN = 8;

    private OpEncoder() {}

    public static byte[] encode(List<Op> ops) {
        long[] dataSize = {0};
        int[] pointers = {0};
        for (Op op : ops) {
            op.encode((o, flags, n0, n1, n2, n3, s0, s1, s2, s3) -> {
                for (Object s : new Object[] {s0, s1, s2, s3}) {
                    dataSize[0] += size(s);
                    pointers[0] += pointerSlots(s);
                }
            });
        }
        int opsOffset = (int) align(HEADER + 8L * pointers[0]);
        long total = opsOffset + (long) OP_SIZE * ops.size() + dataSize[0];
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("operation list too large");
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(total, HEADER)).order(ByteOrder.nativeOrder());
        Layout layout = new Layout(buf, opsOffset + OP_SIZE * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            int base = opsOffset + i * OP_SIZE;
            ops.get(i).encode((o, flags, n0, n1, n2, n3, s0, s1, s2, s3) -> {
                buf.putInt(base, o.code().code);
                buf.putInt(base + 4, flags);
                buf.putLong(base + 8, n0);
                buf.putLong(base + 16, n1);
                buf.putLong(base + 24, n2);
                buf.putLong(base + 32, n3);
                Object[] strings = {s0, s1, s2, s3};
                for (int k = 0; k < 4; k++) layout.pointer(base + 40 + 8 * k, strings[k]);
            });
        }
        buf.putInt(0, MAGIC);
        buf.putInt(4, ops.size());
        buf.putInt(8, layout.relocations.size());
        buf.putInt(12, opsOffset);
        for (int i = 0; i < layout.relocations.size(); i++) buf.putLong(HEADER + 8 * i, layout.relocations.get(i));
        return buf.array();
    }

    /** Writes values into the data area and records every slot that holds an offset. */
    private static final class Layout {
        final ByteBuffer buf;
        final List<Long> relocations = new ArrayList<>();
        int cursor;

        Layout(ByteBuffer buf, int dataStart) {
            this.buf = buf;
            this.cursor = dataStart;
        }

        void pointer(int slot, Object value) {
            if (value == null) {
                buf.putLong(slot, 0);
                return;
            }
            buf.putLong(slot, place(value));
            relocations.add((long) slot);
        }

        private int place(Object value) {
            int at = cursor;
            if (value instanceof String s) value = NameBytes.encode(s);
            if (value instanceof byte[] b) {
                buf.put(at, b);
                buf.put(at + b.length, (byte) 0);
                cursor += (int) align(b.length + 1);
            } else if (value instanceof int[] a) {
                for (int i = 0; i < a.length; i++) buf.putInt(at + 4 * i, a[i]);
                cursor += (int) align(4L * a.length + 4);
            } else {
                String[] array = (String[]) value;
                cursor += 8 * (array.length + 1);
                for (int i = 0; i < array.length; i++) pointer(at + 8 * i, array[i]);
                buf.putLong(at + 8 * array.length, 0);
            }
            return at;
        }
    }

    private static long size(Object value) {
        if (value == null) return 0;
        if (value instanceof String s) return align(NameBytes.encode(s).length + 1);
        if (value instanceof byte[] b) return align(b.length + 1);
        if (value instanceof int[] a) return align(4L * a.length + 4);
        if (value instanceof String[] array) {
            long total = 8L * (array.length + 1);
            for (String s : array) total += size(s);
            return total;
        }
        throw new IllegalArgumentException("cannot encode " + value.getClass());
    }

    private static int pointerSlots(Object value) {
        if (value == null) return 0;
        if (value instanceof String[] array) {
            int n = 1;
            for (String s : array) n += s == null ? 0 : 1;
            return n;
        }
        return 1;
    }

    private static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }
}
