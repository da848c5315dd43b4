/**
 * jrun's content-addressed image store.
 *
 * <h2>Layout</h2>
 * Rooted at {@code $XDG_DATA_HOME/jrun} (~/.local/share/jrun) unless {@code --root} or
 * {@code JRUN_ROOT} says otherwise. The root is created mode 0700: unpacked layers contain
 * setuid files owned by the caller or its subordinate IDs, which no other host user may reach.
 * <pre>
 * lock                          exclusive fcntl lock around every mutation (short)
 * gc.lock                       shared while a pull is in progress ({@link dev.jrun.store.Store#lease()}),
 *                               exclusive while rmi/prune delete, so they never delete what a pull
 *                               is about to record
 * tmp/KIND-PID-RANDOM           temporary blobs, layers, records being written; PID of the writer
 * blobs/sha256/HEX              blobs (manifests, configs, compressed layers) by digest
 * layers/sha256/DIFFHEX/        one unpacked layer, keyed by diffID, shared by all images:
 *     diff/                     the layer's files: the overlayfs lowerdir (see
 *                               dev.jrun.image.layer.LayerFormat for whiteouts/opaque dirs)
 *     layer.json                {@link dev.jrun.store.LayerMetadata}; its presence marks a committed layer
 *     ownership.json            the chowns applied inside the user namespace (image.layer's OwnershipPlan)
 * images/ID.json                {@link dev.jrun.store.ImageRecord}; ID = config digest hex
 * containers/ID/                a container's private area
 *     container.json            {@link dev.jrun.store.ContainerRecord}: its image and layers, and the
 *                               jrun that owns it (PID and start time)
 *     upper/ work/              overlay upperdir and workdir
 *     rootfs/                   the overlay mount point (or a flattened copy)
 * </pre>
 *
 * <h2>Consistency rules</h2>
 * <ul>
 *   <li>Nothing is written in place. Blobs are streamed into tmp/ while hashed, fsynced, and
 *       hard-linked into blobs/ (link(2) never replaces: the first of two concurrent writers
 *       wins, the second finds the same content there). Layers are unpacked into a tmp/
 *       directory and renamed into layers/ when complete; layer.json is inside before the
 *       rename, so a layer directory is either absent or complete. Records are written to a
 *       temporary file, fsynced, and renamed over the old one.</li>
 *   <li>A process killed at any point leaves at most files in tmp/, which are never read and
 *       are removed by the next {@link dev.jrun.store.Store#open} once their writer's PID is
 *       gone (or after 24 hours), and the area of the container it ran, removed by the next
 *       opening once its owner is gone.</li>
 *   <li>Reference counts are not stored: what a layer or blob is used by is derived from the
 *       image and container records at deletion time, under the locks, so a crash cannot leave
 *       a count wrong.</li>
 *   <li>Layer files are not fsynced one by one (7000 fsyncs would dominate a pull); a power
 *       loss may leave a committed layer with lost data. Blobs and records are fsynced.</li>
 *   <li>Trees that may hold files owned by subordinate IDs are deleted through a
 *       {@link dev.jrun.store.Remover}, which the runtime implements inside the user namespace.</li>
 * </ul>
 */
package dev.jrun.store;
