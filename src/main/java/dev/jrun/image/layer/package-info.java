/**
 * Unpacking image layers, treating every archive as hostile.
 *
 * <ul>
 *   <li>{@link dev.jrun.image.layer.LayerUnpacker#unpack}: one layer stream (gzip or plain tar)
 *       into an empty private directory, diffID computed while streaming; returns the
 *       {@link dev.jrun.image.layer.OwnershipPlan} to apply inside the user namespace.</li>
 *   <li>{@link dev.jrun.image.layer.LayerImporter#importLayer}: the same into the store
 *       ({@code layers/sha256/<diffid>/diff}), ownership applied through an
 *       {@link dev.jrun.image.layer.OwnershipApplier} before the commit rename.</li>
 *   <li>{@link dev.jrun.image.layer.LayerUnpacker#flatten}: several layers into one directory,
 *       the fallback when overlayfs is unavailable.</li>
 *   <li>{@link dev.jrun.image.layer.LayerImporter#prepare}: unpacked and accepted but not yet
 *       committed, so that a caller with several layers (load) commits none of a refused image.</li>
 *   <li>{@link dev.jrun.image.layer.LayerFormat}: how whiteouts and opaque directories are
 *       stored, and the overlay mount option ({@code userxattr}) they need.</li>
 * </ul>
 *
 * <p>Inside: the tar stream is read by {@link dev.jrun.image.tar.TarReader} (Go's reading),
 * names are resolved by {@code EntryPath}, the tree is written by {@code TreeWriter} with a
 * {@code WhiteoutPolicy} ({@code OverlayWhiteouts} for one layer, {@code FlattenedWhiteouts}
 * for a flattened copy), file content by {@code FileContent}, extended attributes by
 * {@code Xattrs}.
 */
package dev.jrun.image.layer;
