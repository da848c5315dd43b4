package dev.jrun.store;

import java.time.Instant;

/**
 * {@code containers/<id>/exit.json}, written by jrun-monitor (write, fsync, rename) when the
 * container's main process ends.
 *
 * @param exitCode  as a shell reports it: 128+N for a signal N
 * @param signal    the signal that ended it, or 0
 * @param finishedAt seconds since the epoch, with nanoseconds
 */
public record ContainerExit(int exitCode, int signal, double finishedAt) {
    public Instant finished() {
        long seconds = (long) finishedAt;
        return Instant.ofEpochSecond(seconds, Math.round((finishedAt - seconds) * 1e9));
    }
}
