package dev.jrun.sys;

import java.util.Arrays;

/**
 * A compiled seccomp filter: an array of {@code struct sock_filter} (8 bytes each) in this
 * machine's byte order, ready for seccomp(SECCOMP_SET_MODE_FILTER).
 */
public record SeccompProgram(byte[] bpf) {
    static final int INSTRUCTION_SIZE = 8;
    /** BPF_MAXINSNS (linux/bpf_common.h): the kernel refuses a longer classic program. */
    static final int MAX_INSTRUCTIONS = 4096;

    public SeccompProgram {
        if (bpf.length == 0 || bpf.length % INSTRUCTION_SIZE != 0 || bpf.length / INSTRUCTION_SIZE > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("not a classic BPF program of 1-4096 instructions: " + bpf.length + " bytes");
        }
        bpf = bpf.clone();
    }

    @Override
    public byte[] bpf() {
        return bpf.clone();
    }

    public int instructions() {
        return bpf.length / INSTRUCTION_SIZE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram p && Arrays.equals(bpf, p.bpf);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bpf);
    }

    @Override
    public String toString() {
        return "SeccompProgram[" + instructions() + " instructions]";
    }
}
