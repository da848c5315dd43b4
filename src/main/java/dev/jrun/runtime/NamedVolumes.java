package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;

/** Named volumes as a launch needs them; the store keeps them (dev.jrun.store.Volumes). */
public interface NamedVolumes {
    /** The volume's data directory, creating the volume on first use (as podman's -v NAME:/path). */
    Path directory(String name) throws JrunException;

    /** Whether the volume has not been used by a container yet: its first use copies the image's files in. */
    boolean firstUse(String name) throws JrunException;

    /** Records that the first use happened (copy-up done or not needed). */
    void used(String name) throws JrunException;

    /** Where no store is open: a named volume is refused with a message. */
    NamedVolumes NONE = new NamedVolumes() {
        @Override
        public Path directory(String name) throws JrunException {
            throw new JrunException("-v " + name + ":...: named volumes live in jrun's store, which this run does "
                    + "not use; give a host path (absolute, or starting with ./)");
        }

        @Override
        public boolean firstUse(String name) {
            return false;
        }

        @Override
        public void used(String name) {
        }
    };
}
