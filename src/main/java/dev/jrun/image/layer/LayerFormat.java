package dev.jrun.image.layer;

/**
 * How an unpacked layer directory represents what a tar layer says, so that the directories can
 * be used directly as overlayfs lowerdirs by an unprivileged user. Verified on Debian 12 with
 * kernel 6.x, as a non-root user in {@code unshare -Urm} (see {@code OverlayWhiteoutFormatTest}):
 *
 * <ul>
 *   <li><b>Whiteout</b> ({@code .wh.NAME} in the tar): a character device 0/0 named {@code NAME}.
 *       The kernel lets any user create exactly this device since Linux 5.8 (commit "vfs: allow
 *       unprivileged whiteout creation": {@code vfs_mknod} exempts {@code WHITEOUT_DEV} from the
 *       {@code CAP_MKNOD} check), so the unpacker makes it on the host without a user namespace.
 *       overlayfs honours it with or without {@code userxattr}. (The alternative,
 *       an empty file with xattr {@code user.overlay.whiteout} plus {@code user.overlay.opaque=x}
 *       on its directory, needs kernel >= 6.7; not used.)</li>
 *   <li><b>Opaque directory</b> ({@code DIR/.wh..wh..opq}): xattr {@code user.overlay.opaque=y}
 *       on {@code DIR}. overlayfs reads {@code user.overlay.*} instead of {@code trusted.overlay.*}
 *       only with the {@code userxattr} mount option (kernel >= 5.11, required inside a user
 *       namespace anyway). Without it the opaque mark is silently ignored.</li>
 * </ul>
 *
 * <p>The mount the runtime makes, inside the container's user namespace:
 * {@code mount -t overlay overlay -o lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W,userxattr MERGED},
 * where each lowerdir is a layer's {@code diff} directory, topmost (last applied) layer first.
 *
 * <p>A flattened copy (when overlay is unavailable) applies the layers bottom-up: a 0/0
 * character device deletes the name below it, an opaque directory empties the directory below
 * it. {@link LayerUnpacker#flatten} does that straight from the layer blobs (the store keeps
 * them), as the caller and before any chown, so no file owned by a subordinate ID has to be
 * read; its merged {@link OwnershipPlan} is then applied inside the user namespace.
 */
public final class LayerFormat {

    /** Recorded in each layer's metadata; a store whose layers use another version must re-unpack. */
    public static final String VERSION = "overlay-chardev-whiteout+user.overlay.opaque/v1";

    /** The xattr name as {@link java.nio.file.attribute.UserDefinedFileAttributeView} spells it (the "user." prefix is implied). */
    public static final String OPAQUE_XATTR_USER_VIEW_NAME = "overlay.opaque";

    /** The full xattr name overlayfs reads in userxattr mode. */
    public static final String OPAQUE_XATTR = "user.overlay.opaque";

    /** The overlay mount option these layers need. */
    public static final String OVERLAY_MOUNT_OPTION = "userxattr";

    /** OCI whiteout prefix (image-spec layer.md, "Whiteouts"). */
    public static final String WHITEOUT_PREFIX = ".wh.";

    /** OCI opaque whiteout name. */
    public static final String OPAQUE_WHITEOUT = ".wh..wh..opq";

    private LayerFormat() {
    }
}
