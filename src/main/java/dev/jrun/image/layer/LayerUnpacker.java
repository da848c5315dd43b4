package dev.jrun.image.layer;

import dev.jrun.image.tar.TarFormatException;
import dev.jrun.image.tar.TarHeader;
import dev.jrun.image.tar.TarInput;
import dev.jrun.image.tar.TarReader;
import dev.jrun.oci.DiffId;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Objects;

/**
 * Unpacks one image layer (a tar stream, gzip-compressed or not) into an empty directory,
 * treating the archive as hostile, and computes its diffID while doing so.
 *
 * <h2>Threat model</h2>
 * The archive is attacker-controlled. The target directory is private to this process (the
 * store creates it, mode 0700, in its own tmp/), so the only symlinks and files in it are the
 * ones this archive laid down: checks made with {@code lstat} stay true until we act on them
 * (there is no concurrent writer, unlike the CVE-2018-15664 {@code docker cp} race where a
 * running container swapped a path component for a symlink between check and use).
 *
 * <h2>Decisions per case</h2>
 * Refuse the whole layer ({@link LayerRefusedException}; nothing of it is used):
 * <ul>
 *   <li>an entry name or hard link target with a {@code ..} component (Zip Slip; CVE-2019-14271
 *       and the 2014 docker tar breakouts CVE-2014-6407/CVE-2014-9356 were all "path resolves
 *       outside the root"). Leading {@code /} and {@code ./} are stripped: absolute names are
 *       taken relative to the layer root, as tar(1) does;</li>
 *   <li>an entry whose parent path contains a symlink or a non-directory laid down earlier in
 *       this layer (entry {@code a -> /etc}, then {@code a/passwd}): we never write through a
 *       symlink, however long the chain;</li>
 *   <li>a hard link whose target is not a regular file already extracted in this layer (missing,
 *       not yet extracted, a directory, a symlink, a whiteout, itself). Links into lower layers
 *       are refused too: with overlayfs each layer is its own directory and a hard link cannot
 *       cross it; docker and podman write such files as regular files when they build layers;</li>
 *   <li>archives Go's {@code archive/tar} (what Docker and containers/storage read layers with)
 *       would refuse: a block that fails its header checksum where a header is due (also after
 *       valid entries: nothing is silently dropped), data cut short, malformed PAX records,
 *       unsupported compression (zstd, xz, bzip2: named in the message with the media type);
 *       see {@link TarReader};</li>
 *   <li>any {@link UnpackLimits} exceeded (decompression bombs, huge declared sizes, deep paths),
 *       a name component over 255 bytes (NAME_MAX), or a GNU long-name, PAX header or sparse map
 *       over {@link TarReader#MAX_METADATA_BYTES} (they are held in memory);</li>
 *   <li>a name that is not UTF-8 (jrun cannot write one yet, see {@link EntryPath#decode});</li>
 *   <li>a bad whiteout: {@code .wh.} with an empty name or {@code .wh..} / {@code .wh...};</li>
 *   <li>a diffID mismatch, when an expected diffID is given.</li>
 * </ul>
 * Skip the entry and report it once in {@link UnpackResult#notes()}:
 * <ul>
 *   <li>character and block devices and fifos: a rootless user cannot mknod them
 *       (mknod(2) needs CAP_MKNOD in the initial user namespace); the runtime bind-mounts
 *       /dev anyway;</li>
 *   <li>other entry types (GNU volume headers, multi-volume continuations, ...) and AUFS metadata
 *       ({@code .wh..wh..plnk}, {@code .wh..wh.aufs});</li>
 *   <li>extended attributes other than {@code user.*} (also {@code security.*} when running as
 *       root), and always {@code user.overlay.*} and {@code trusted.*}: an archive must not be
 *       able to plant overlayfs metadata (opaque, redirect, metacopy, whiteout xattrs) that the
 *       overlay mount would interpret.</li>
 * </ul>
 * Tar semantics otherwise: a later entry with the same name replaces the earlier one (a
 * directory over a directory merges, keeping the later metadata); a file replaces a directory
 * (the directory's subtree is removed, without following symlinks) and vice versa. Parent
 * directories missing from the archive are created with mode 0755, as docker does.
 *
 * <h2>Whiteouts</h2>
 * See {@link LayerFormat}. Per the OCI image spec a whiteout only hides lower layers: a
 * {@code .wh.NAME} for a NAME that this same layer also contains keeps this layer's NAME; if
 * that NAME is a directory it is marked opaque (lower content hidden, this layer's shown).
 *
 * <h2>Flattened copies</h2>
 * {@link #flatten} applies several layers into one directory with the same rules, for when
 * overlayfs is unavailable: whiteouts and opaque markers delete lower content instead of being
 * recorded, and a lower layer's symlink where an upper layer needs a directory is replaced by
 * the directory (as the overlay would show it), never followed.
 *
 * <h2>Ownership and modes</h2>
 * Files are created as the caller (container root). Modes including setuid/setgid/sticky and
 * mtimes are set here (directories last, deepest first, so adding children does not disturb
 * them). Entries owned by anything other than 0:0 are listed in the returned
 * {@link OwnershipPlan} for the runtime to lchown inside the user namespace. A mode that denies
 * the owner everything (RHEL's /etc/shadow is 0000) is applied after the content, so it unpacks;
 * in the container root reads it through CAP_DAC_OVERRIDE in its namespace.
 *
 * <h2>Sparse files</h2>
 * Written with their holes (each fragment at its offset, a trailing hole by ftruncate), and
 * checked against {@link UnpackLimits#maxEntryBytes()} by their real size.
 *
 * <p>This class orchestrates: {@link TarInput} reads, {@link TreeWriter} writes, {@link EntryPath}
 * resolves names.
 */
public final class LayerUnpacker {

    private final UnpackLimits limits;
    private final WhiteoutMaker whiteouts;

    public LayerUnpacker(UnpackLimits limits, WhiteoutMaker whiteouts) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.whiteouts = Objects.requireNonNull(whiteouts, "whiteouts");
    }

    /** {@link #unpack(InputStream, Path, String, DiffId, LayerOrigin)} for a layer from a registry. */
    public UnpackResult unpack(InputStream layer, Path root, String mediaType, DiffId expectedDiff)
            throws IOException, LayerRefusedException {
        return unpack(layer, root, mediaType, expectedDiff, LayerOrigin.registry());
    }

    /**
     * Unpacks {@code layer} into {@code root}, which must be an existing empty directory private
     * to the caller. Reads the stream to its end (so the diffID covers all of it) but does not
     * close it.
     *
     * @param mediaType    the layer's media type, for messages only (may be null)
     * @param expectedDiff when not null, the layer is refused unless its diffID matches
     * @param origin       where the stream comes from, for the advice in messages
     * @throws LayerRefusedException the archive is hostile, malformed, too big or mismatched;
     *                               {@code root} then holds partial content and must be discarded
     * @throws IOException           reading the stream or writing the directory failed
     */
    public UnpackResult unpack(InputStream layer, Path root, String mediaType, DiffId expectedDiff, LayerOrigin origin)
            throws IOException, LayerRefusedException {
        return unpackWith(new TreeWriter(root.toAbsolutePath(), limits, new OverlayWhiteouts(whiteouts)), layer,
                mediaType, expectedDiff, origin);
    }

    /**
     * Starts a flattened copy: layers applied one over the other, bottom first, into one
     * directory, for when overlayfs is unavailable. Whiteouts and opaque directories delete
     * what lower layers put there instead of being recorded; the same hostile-archive rules
     * apply to every layer. A lower layer's symlink or file where an upper layer needs a
     * directory is replaced by that directory, as the overlay would show it.
     *
     * @param root an empty directory private to the caller
     */
    public Flattening flatten(Path root) throws IOException {
        return new Flattening(new TreeWriter(root.toAbsolutePath(), limits, new FlattenedWhiteouts()));
    }

    /** A flattened copy in progress; see {@link #flatten}. */
    public final class Flattening {
        private final TreeWriter writer;
        private boolean finished;

        private Flattening(TreeWriter writer) {
            this.writer = writer;
        }

        /**
         * Applies the next layer (bottom first). The result's ownership plan is the merged one
         * for all layers so far.
         */
        public UnpackResult apply(InputStream layer, String mediaType, DiffId expectedDiff)
                throws IOException, LayerRefusedException {
            if (finished) {
                throw new IllegalStateException("flattening already finished");
            }
            writer.startLayer();
            return unpackWith(writer, layer, mediaType, expectedDiff, LayerOrigin.registry());
        }

        /**
         * Restores the modes of directories that were made writable to apply upper layers,
         * and returns the merged ownership plan to apply inside the user namespace.
         */
        public OwnershipPlan finish() throws IOException {
            finished = true;
            writer.finishCopy();
            return new OwnershipPlan(new ArrayList<>(writer.ownership()));
        }
    }

    private UnpackResult unpackWith(TreeWriter writer, InputStream layer, String mediaType, DiffId expectedDiff,
                                    LayerOrigin origin) throws IOException, LayerRefusedException {
        String described = "layer" + origin.where() + (mediaType == null ? "" : " (" + mediaType + ")");
        String previous = null;
        long entries = 0;
        TarInput input;
        try {
            input = TarInput.open(layer, limits.maxTotalBytes());
            TarReader tar = input.reader();
            TarHeader entry;
            while ((entry = tar.next()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerRefusedException(described + " has more than " + limits.maxEntries()
                            + " entries (limit maxEntries): refusing it as an archive bomb");
                }
                previous = EntryPath.shorten(EntryPath.display(entry.name()));
                writer.extract(entry, tar.data());
            }
            // Read what follows the end-of-archive blocks: the diffID is over the whole stream.
            input.drain();
        } catch (TarInput.UnsupportedCompression e) {
            throw new LayerRefusedException(described + " is " + e.compressionName() + "-compressed, which jrun"
                    + " does not unpack (it reads gzip and plain tar)" + (origin.where().isEmpty()
                    ? ": pull a gzip variant of the image" : ": decompress it first (" + e.decompressor() + ")"));
        } catch (TarInput.TooLarge e) {
            throw new LayerRefusedException(described + " is larger than " + limits.maxTotalBytes()
                    + " bytes uncompressed (limit maxTotalBytes): refusing it as a decompression bomb; raise the"
                    + " limit if the image is really that big");
        } catch (TarFormatException e) {
            String after = previous == null ? "" : ", after entry \"" + previous + "\"";
            throw switch (e.kind()) {
                case METADATA_TOO_LARGE -> new LayerRefusedException(described + " is refused as an archive bomb: "
                        + e.getMessage() + after, e);
                case TRUNCATED -> new LayerRefusedException(described + " is truncated: " + e.getMessage() + after
                        + "; " + origin.truncatedAdvice(), e);
                case MALFORMED -> new LayerRefusedException(described + (e.offset() == 0 ? " is not a tar archive: "
                        : " is not a valid tar archive: ") + e.getMessage() + after + "; " + origin.malformedAdvice(), e);
            };
        } catch (TarInput.SourceReadException e) {
            String after = previous == null ? " at its start" : " after entry \"" + previous + "\"";
            // A gzip stream cut short surfaces as an EOFException without a message.
            String why = e.getCause() instanceof java.io.EOFException ? "the compressed stream ends early"
                    : e.getMessage();
            throw new LayerRefusedException("reading " + described + " failed" + after + ": " + why
                    + "; " + origin.truncatedAdvice(), e);
        } catch (InvalidPathException e) {
            throw new LayerRefusedException(described + " has an entry named \"" + EntryPath.shorten(e.getInput())
                    + "\", which is not a file name: refusing the layer as malformed", e);
        }
        writer.finish();

        DiffId diffId = new DiffId(input.digest());
        if (expectedDiff != null && !expectedDiff.equals(diffId)) {
            throw new LayerRefusedException("layer content does not match its diffID: the image config says "
                    + expectedDiff + " but the uncompressed layer is " + diffId
                    + "; the image is corrupt or was tampered with, nothing of it was kept");
        }
        UnpackResult.Compression compression = input.compression() == TarInput.Compression.GZIP
                ? UnpackResult.Compression.GZIP : UnpackResult.Compression.NONE;
        return new UnpackResult(diffId, input.uncompressedBytes(), compression, entries,
                new OwnershipPlan(new ArrayList<>(writer.ownership())), writer.notes());
    }
}
