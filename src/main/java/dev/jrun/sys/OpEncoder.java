package dev.jrun.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Lays an operation list out as the C side's {@code struct jrun_op[]}, followed by the
 * strings and arrays it points to, all in one native allocation that lives until the child
 * has exec'd.
 */
final class OpEncoder {
    static final int OP_SIZE = 72;
    private static final int ALIGN = 8;

    private OpEncoder() {}

    static Memory encode(List<Op> ops) {
        long[] dataSize = {0};
        for (Op op : ops) {
            op.encode((o, flags, n0, n1, n2, n3, s0, s1, s2, s3) ->
                    dataSize[0] += size(s0) + size(s1) + size(s2) + size(s3));
        }
        long tableSize = (long) OP_SIZE * ops.size();
        Memory memory = new Memory(Math.max(1, tableSize + dataSize[0]));
        long[] cursor = {tableSize};
        for (int i = 0; i < ops.size(); i++) {
            long base = (long) i * OP_SIZE;
            ops.get(i).encode((o, flags, n0, n1, n2, n3, s0, s1, s2, s3) -> {
                memory.setInt(base, o.code().code);
                memory.setInt(base + 4, flags);
                memory.setLong(base + 8, n0);
                memory.setLong(base + 16, n1);
                memory.setLong(base + 24, n2);
                memory.setLong(base + 32, n3);
                Object[] strings = {s0, s1, s2, s3};
                for (int k = 0; k < 4; k++) {
                    memory.setPointer(base + 40 + 8L * k, place(memory, cursor, strings[k]));
                }
            });
        }
        return memory;
    }

    private static long size(Object value) {
        if (value == null) return 0;
        if (value instanceof String s) return align(s.getBytes(StandardCharsets.UTF_8).length + 1);
        if (value instanceof byte[] b) return align(b.length + 1);
        if (value instanceof int[] a) return align(4L * a.length + 4);
        if (value instanceof String[] array) {
            long total = 8L * (array.length + 1);
            for (String s : array) total += size(s);
            return total;
        }
        throw new IllegalArgumentException("cannot encode " + value.getClass());
    }

    private static long align(long n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    private static Pointer place(Memory memory, long[] cursor, Object value) {
        if (value == null) return null;
        long at = cursor[0];
        if (value instanceof String s) {
            value = s.getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof byte[] b) {
            memory.write(at, b, 0, b.length);
            memory.setByte(at + b.length, (byte) 0);
            cursor[0] += align(b.length + 1);
        } else if (value instanceof int[] a) {
            memory.write(at, a, 0, a.length);
            cursor[0] += align(4L * a.length + 4);
        } else {
            String[] array = (String[]) value;
            cursor[0] += 8L * (array.length + 1);
            for (int i = 0; i < array.length; i++) {
                memory.setPointer(at + 8L * i, place(memory, cursor, array[i]));
            }
            memory.setPointer(at + 8L * array.length, null);
        }
        return memory.share(at);
    }
}
