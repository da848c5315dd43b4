package dev.jrun.api;

/**
 * What a pull reports while it runs. Called from the pull's download threads (one per layer,
 * several at once): an implementation must be thread-safe and quick. An exception it throws
 * fails the pull.
 */
public interface PullListener {
    /** A line as `jrun pull` prints it on a pipe ("Pulling ...", "Copying blob ... done (...)", "Stored ... as ..."). */
    default void message(String line) {}

    /**
     * A layer's download has reached {@code progress.bytes()} of {@code progress.size()}:
     * reported every 256 KiB and once more when the layer is complete. A download the registry
     * cut short is retried from 0, so the count may go back. A layer already in the store is
     * not downloaded and not reported.
     */
    default void layer(LayerProgress progress) {}
}
