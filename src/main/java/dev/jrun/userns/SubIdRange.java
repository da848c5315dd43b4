package dev.jrun.userns;

/** One line of /etc/subuid or /etc/subgid: {@code count} host IDs starting at {@code start}. */
public record SubIdRange(long start, long count) {
    public SubIdRange {
        if (start < 0 || count <= 0) throw new IllegalArgumentException("bad range " + start + ":" + count);
    }

    /** One past the last ID. */
    public long end() {
        return start + count;
    }

    public boolean contains(long id) {
        return id >= start && id < end();
    }
}
