package dev.jrun.runtime;

import java.nio.file.Path;
import java.util.List;

/** Where the container's root filesystem comes from. */
public sealed interface RootFs {

    /** The directory every lookup on the host side starts from, topmost first. */
    List<Path> layersTopDown();

    /** A directory used as it is (--rootfs); bind-mounted onto itself so pivot_root accepts it. */
    record Directory(Path path) implements RootFs {
        public List<Path> layersTopDown() {
            return List.of(path);
        }
    }

    /**
     * An image: read-only layer directories under a private writable one, joined by overlayfs
     * inside the user namespace (kernel >= 5.11, {@code userxattr}).
     */
    record Overlay(List<Path> lowerTopDown, Path upper, Path work, Path mountPoint) implements RootFs {
        public Overlay {
            lowerTopDown = List.copyOf(lowerTopDown);
        }

        public List<Path> layersTopDown() {
            var all = new java.util.ArrayList<Path>();
            all.add(upper);
            all.addAll(lowerTopDown);
            return List.copyOf(all);
        }
    }
}
