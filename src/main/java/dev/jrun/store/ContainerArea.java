package dev.jrun.store;

import java.nio.file.Path;
import java.util.List;

/**
 * A container's private directories in the store.
 *
 * @param record    what was recorded about it
 * @param dir       {@code containers/<id>}
 * @param upper     overlay upperdir: everything the container writes
 * @param work      overlay workdir (same filesystem as upper, as overlayfs requires)
 * @param rootfs    an empty directory to mount the overlay on (or to hold a flattened copy)
 * @param lowerDirs the image's layer {@code diff} directories, TOPMOST FIRST, as overlayfs's
 *                  lowerdir= option lists them
 */
public record ContainerArea(ContainerRecord record, Path dir, Path upper, Path work, Path rootfs, List<Path> lowerDirs) {
    public ContainerArea {
        lowerDirs = List.copyOf(lowerDirs);
    }
}
