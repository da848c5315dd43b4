package dev.jrun.container;

import dev.jrun.errors.JrunException;
import dev.jrun.image.UserNamespaceOwnership;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.UnpackLimits;
import dev.jrun.runtime.RootFs;
import dev.jrun.store.ContainerArea;
import dev.jrun.store.ImageRecord;
import dev.jrun.store.LayerRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a container's root can be an overlay, and the private copy when it cannot. */
final class Overlays {
    private Overlays() {}

    /** The storage driver asked for, or overlay where it works. */
    static boolean useOverlay(Engine ctx, String driver) throws JrunException {
        if (driver == null) {
            if (available()) return true;
            ctx.warn("overlayfs is not available in a user namespace on this kernel (Linux 5.11 or later needs "
                    + "it): copying the image for this container instead, which is slower");
            return false;
        }
        return switch (driver) {
            case "overlay" -> {
                if (!available()) {
                    throw new JrunException("--storage-driver overlay: this kernel cannot mount overlayfs in a user "
                            + "namespace (Linux 5.11 or later can); use --storage-driver vfs");
                }
                yield true;
            }
            case "vfs" -> false;
            default -> throw new JrunException("--storage-driver " + driver + ": jrun knows overlay and vfs");
        };
    }

    /** overlayfs may be mounted in a user namespace with userxattr from Linux 5.11 on. */
    static boolean available() {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int major = Integer.parseInt(v[0]);
            int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            if (major < 5 || (major == 5 && minor < 11)) return false;
            // Line by line: procfs files report size 0, which confuses whole-file reads. A module
            // not loaded yet is not listed there; the mount loads it (fs-overlay alias).
            return Files.readAllLines(Path.of("/proc/filesystems")).stream().anyMatch(l -> l.endsWith("\toverlay"))
                    || Files.isDirectory(Path.of("/lib/modules", System.getProperty("os.version"), "kernel/fs/overlayfs"));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Unpacks every layer into the container's own directory: slower, but needs no overlayfs. */
    static RootFs flattenedCopy(Engine ctx, ImageRecord image, ContainerArea area) throws JrunException {
        try {
            LayerUnpacker.Flattening copy = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker())
                    .flatten(area.rootfs());
            for (LayerRef layer : image.layers()) {
                try (InputStream in = ctx.store().openBlob(layer.digest())) {
                    copy.apply(in, layer.mediaType(), layer.diffId());
                }
            }
            new UserNamespaceOwnership(ctx.tasks()).apply(area.rootfs(), copy.finish());
        } catch (IOException e) {
            throw new JrunException("copy image " + image.id().substring(0, 12) + " for the container: " + e.getMessage(), e);
        }
        return new RootFs.Directory(area.rootfs());
    }
}
