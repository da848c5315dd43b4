package dev.jrun.runtime.network;

import java.util.List;

/**
 * What keeps a container's network connected: held from the moment the helper runs until the
 * container has ended, then closed.
 */
public interface Attachment extends AutoCloseable {
    /** Nothing to hold: the host's network, none, or a namespace that exists already. */
    Attachment NOTHING = new Attachment() {
        @Override
        public List<Integer> heldFds() {
            return List.of();
        }

        @Override
        public void close() {}
    };

    /**
     * Descriptors whose closing ends the helper (slirp4netns's --exit-fd): whoever outlives the
     * container (jrun today, a monitor later) holds them, and the kernel closes them if it dies.
     */
    List<Integer> heldFds();

    /** Ends the helper and releases what it held; called once the container has ended. */
    @Override
    void close();
}
