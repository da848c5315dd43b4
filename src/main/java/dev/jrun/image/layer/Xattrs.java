package dev.jrun.image.layer;

import dev.jrun.image.tar.TarHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Extended attributes of layer entries, filtered: what an archive may set and what it may not. */
final class Xattrs {
    private Xattrs() {
    }

    /**
     * Sets the entry's {@code SCHILY.xattr.*} records that jrun allows: {@code user.*} but never
     * {@code user.overlay.*} (an archive must not plant overlayfs metadata: opaque, redirect,
     * metacopy or whiteout xattrs would change what the mount shows), and reports the others
     * through {@code skip}.
     */
    static void apply(TarHeader entry, Path target, String rel, int maxXattrBytes, boolean callerIsRoot,
                      BiConsumer<String, String> skip) throws LayerRefusedException {
        if (entry.xattrs().isEmpty()) {
            return;
        }
        long total = 0;
        UserDefinedFileAttributeView view = null;
        for (Map.Entry<String, byte[]> h : new TreeMap<>(entry.xattrs()).entrySet()) {
            String xattr = h.getKey();
            byte[] value = h.getValue();
            total += xattr.length() + value.length;
            if (total > maxXattrBytes) {
                throw new LayerRefusedException("layer entry \"" + rel + "\" carries more than "
                        + maxXattrBytes + " bytes of extended attributes (limit maxXattrBytes): refusing the layer");
            }
            // Overlay metadata must come from jrun's own whiteout handling only: a planted
            // user.overlay.redirect/metacopy/whiteout/opaque would change what the mount shows.
            boolean allowed = xattr.startsWith("user.") && !xattr.startsWith("user.overlay.");
            if (!allowed && callerIsRoot && xattr.startsWith("security.")) {
                allowed = true;
            }
            if (!allowed) {
                skip.accept("extended attributes jrun does not set (only user.*; security.* as root)", rel + " " + xattr);
                continue;
            }
            try {
                if (xattr.startsWith("user.")) {
                    if (view == null) {
                        view = Files.getFileAttributeView(target, UserDefinedFileAttributeView.class,
                                LinkOption.NOFOLLOW_LINKS);
                    }
                    view.write(xattr.substring("user.".length()), ByteBuffer.wrap(value));
                } else {
                    skip.accept("extended attributes jrun does not set (only user.*; security.* as root)", rel + " " + xattr);
                }
            } catch (IOException e) {
                skip.accept("extended attributes the store's filesystem refused", rel + " " + xattr + ": " + e.getMessage());
            }
        }
    }
}
