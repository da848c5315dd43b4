package dev.jrun.image.layer;

import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import dev.jrun.store.ObservedInputStream;
import dev.jrun.store.DigestingInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

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
 *   <li>malformed archives: bad header checksum, truncated data, garbage, a non-tar first block,
 *       unsupported compression (zstd, xz, bzip2: named in the message with the media type);</li>
 *   <li>any {@link UnpackLimits} exceeded (decompression bombs, huge declared sizes, deep paths),
 *       a name component over 255 bytes (NAME_MAX), or a GNU long-name or PAX header entry over
 *       {@link #MAX_METADATA_ENTRY_BYTES} (commons-compress would buffer it whole in memory);</li>
 *   <li>a bad whiteout: {@code .wh.} with an empty name or {@code .wh..} / {@code .wh...};</li>
 *   <li>a diffID mismatch, when an expected diffID is given.</li>
 * </ul>
 * Skip the entry and report it once in {@link UnpackResult#notes()}:
 * <ul>
 *   <li>character and block devices and fifos: a rootless user cannot mknod them
 *       (mknod(2) needs CAP_MKNOD in the initial user namespace); the runtime bind-mounts
 *       /dev anyway;</li>
 *   <li>other entry types (sparse files, GNU volume headers, ...) and AUFS metadata
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
 * {@link OwnershipPlan} for the runtime to lchown inside the user namespace. Names are decoded
 * as UTF-8 (what Go-built layers use); undecodable bytes become U+FFFD.
 */
public final class LayerUnpacker {

    private static final int BUFFER = 256 * 1024;
    private static final int TAR_BLOCK = 512;
    private static final String SCHILY_XATTR = "SCHILY.xattr.";

    /**
     * GNU long names/links and PAX headers are read into memory whole by commons-compress; a
     * header declaring gigabytes would exhaust the heap before any of our checks ran.
     */
    public static final long MAX_METADATA_ENTRY_BYTES = 1 << 20;

    private final UnpackLimits limits;
    private final WhiteoutMaker whiteouts;

    public LayerUnpacker(UnpackLimits limits, WhiteoutMaker whiteouts) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.whiteouts = Objects.requireNonNull(whiteouts, "whiteouts");
    }

    /**
     * Unpacks {@code layer} into {@code root}, which must be an existing empty directory private
     * to the caller. Reads the stream to its end (so the diffID covers all of it) but does not
     * close it.
     *
     * @param mediaType    the layer's media type, for messages only (may be null)
     * @param expectedDiff when not null, the layer is refused unless its diffID matches
     * @throws LayerRefusedException the archive is hostile, malformed, too big or mismatched;
     *                               {@code root} then holds partial content and must be discarded
     * @throws IOException           reading the stream or writing the directory failed
     */
    public UnpackResult unpack(InputStream layer, Path root, String mediaType, DiffId expectedDiff)
            throws IOException, LayerRefusedException {
        return unpackWith(new Run(root.toAbsolutePath(), false, new LinkedHashMap<>(), new HashMap<>()), layer, mediaType,
                expectedDiff);
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
        return new Flattening(new Run(root.toAbsolutePath(), true, new LinkedHashMap<>(), new HashMap<>()));
    }

    /** A flattened copy in progress; see {@link #flatten}. */
    public final class Flattening {
        private final Run run;
        private boolean finished;

        private Flattening(Run run) {
            this.run = run;
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
            run.startLayer();
            return unpackWith(run, layer, mediaType, expectedDiff);
        }

        /**
         * Restores the modes of directories that were made writable to apply upper layers,
         * and returns the merged ownership plan to apply inside the user namespace.
         */
        public OwnershipPlan finish() throws IOException {
            finished = true;
            run.restoreLockedDirectories();
            return new OwnershipPlan(new ArrayList<>(run.ownership.values()));
        }
    }

    private UnpackResult unpackWith(Run run, InputStream layer, String mediaType, DiffId expectedDiff)
            throws IOException, LayerRefusedException {
        String previous = "(start of archive)";
        long entries = 0;
        UnpackResult.Compression compression;
        DigestingInputStream digesting;
        try {
            // Every read failure below is tagged, so it is reported as a bad archive while a
            // failure writing the directory (disk full, permissions) is reported as what it is.
            BufferedInputStream raw = new BufferedInputStream(new ReadTagging(layer), BUFFER);
            compression = detectCompression(raw, mediaType);
            InputStream plain = compression == UnpackResult.Compression.GZIP
                    // concatenated members, as Go's gzip reader reads them
                    ? GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get()
                    : raw;
            digesting = new DigestingInputStream(new ReadTagging(plain), Digest.Algorithm.SHA256);
            LimitedInputStream limited = new LimitedInputStream(digesting, limits.maxTotalBytes());
            BufferedInputStream tarBytes = new BufferedInputStream(new MetadataEntryGuard(limited), BUFFER);
            checkFirstBlockIsTar(tarBytes, mediaType);
            // lenient=false: a bad number field is an error, not silently 0.
            TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, 10240, TAR_BLOCK,
                    StandardCharsets.UTF_8.name(), false);
            InputStream entryData = new ReadTagging(tar);
            TarArchiveEntry entry;
            while (true) {
                try {
                    entry = tar.getNextEntry();
                } catch (IOException e) {
                    if (causeOf(e, LimitExceeded.class) != null || causeOf(e, MetadataTooLarge.class) != null) {
                        throw e;
                    }
                    throw new ArchiveReadException(e);
                }
                if (entry == null) {
                    break;
                }
                if (++entries > limits.maxEntries()) {
                    throw new LayerRefusedException("layer has more than " + limits.maxEntries()
                            + " entries (limit maxEntries): refusing it as an archive bomb");
                }
                previous = shorten(entry.getName());
                run.extract(entry, entryData);
            }
            // Read what follows the end-of-archive blocks: the diffID is over the whole stream.
            new ReadTagging(tarBytes).transferTo(OutputSink.INSTANCE);
        } catch (IOException e) {
            MetadataTooLarge metadata = causeOf(e, MetadataTooLarge.class);
            if (metadata != null) {
                throw new LayerRefusedException("layer has a " + metadata.kind + " entry declaring " + metadata.size
                        + " bytes, more than the " + MAX_METADATA_ENTRY_BYTES + " jrun reads into memory: refusing the"
                        + " layer as an archive bomb");
            }
            if (causedByLimit(e)) {
                throw new LayerRefusedException("layer is larger than " + limits.maxTotalBytes()
                        + " bytes uncompressed (limit maxTotalBytes): refusing it as a decompression bomb; raise the"
                        + " limit if the image is really that big");
            }
            if (e instanceof ArchiveReadException) {
                throw malformed(entries == 0 ? "reading the start of the archive failed"
                        : "reading after entry \"" + previous + "\" failed", mediaType, (IOException) e.getCause());
            }
            throw e;
        }
        run.finish();

        DiffId diffId = new DiffId(digesting.digest());
        if (expectedDiff != null && !expectedDiff.equals(diffId)) {
            throw new LayerRefusedException("layer content does not match its diffID: the image config says "
                    + expectedDiff + " but the uncompressed layer is " + diffId
                    + "; the image is corrupt or was tampered with, nothing of it was kept");
        }
        return new UnpackResult(diffId, digesting.count(), compression, entries,
                new OwnershipPlan(new ArrayList<>(run.ownership.values())), run.notes());
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean causedByLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LimitExceeded) {
                return true;
            }
        }
        return false;
    }

    private static LayerRefusedException malformed(String what, String mediaType, IOException e) {
        return new LayerRefusedException("layer" + (mediaType == null ? "" : " (" + mediaType + ")")
                + " is not a valid tar archive: " + what + ": " + e.getMessage()
                + "; the download may be truncated or the registry served something else. Pull again.", e);
    }

    private static UnpackResult.Compression detectCompression(BufferedInputStream in, String mediaType)
            throws IOException, LayerRefusedException {
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        String described = mediaType == null ? "" : " (media type " + mediaType + ")";
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return UnpackResult.Compression.GZIP;
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            throw new LayerRefusedException("layer" + described + " is zstd-compressed, which jrun cannot unpack yet;"
                    + " pull a gzip variant of the image (e.g. one built without --compression-format zstd)");
        }
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z') {
            throw new LayerRefusedException("layer" + described + " is xz-compressed, which OCI images do not use and"
                    + " jrun does not unpack");
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            throw new LayerRefusedException("layer" + described + " is bzip2-compressed, which OCI images do not use"
                    + " and jrun does not unpack");
        }
        return UnpackResult.Compression.NONE;
    }

    /**
     * commons-compress reads a garbage first block as end-of-archive in some cases; a layer must
     * start with a ustar/GNU header or with an all-zero block (an empty layer).
     */
    private static void checkFirstBlockIsTar(BufferedInputStream in, String mediaType)
            throws IOException, LayerRefusedException {
        in.mark(TAR_BLOCK);
        byte[] block = in.readNBytes(TAR_BLOCK);
        in.reset();
        String described = mediaType == null ? "" : " (" + mediaType + ")";
        if (block.length == 0) {
            throw new LayerRefusedException("layer" + described + " is empty (0 bytes after decompression);"
                    + " a valid empty layer is at least one tar end block. Pull again.");
        }
        if (block.length < TAR_BLOCK) {
            throw new LayerRefusedException("layer" + described + " is truncated: " + block.length
                    + " bytes after decompression, less than one 512-byte tar block. Pull again.");
        }
        boolean allZero = true;
        for (byte b : block) {
            if (b != 0) {
                allZero = false;
                break;
            }
        }
        String magic = new String(block, 257, 5, StandardCharsets.US_ASCII);
        if (!allZero && !magic.equals("ustar")) {
            throw new LayerRefusedException("layer" + described + " is not a tar archive (no ustar header in the first"
                    + " block after decompression); the registry may have served something else. Pull again.");
        }
    }

    /** State of one unpack. */
    private final class Run {
        private final Path root;
        private final boolean callerIsRoot;
        /** True for a flattened copy: whiteouts delete, lower layers' content is present. */
        private final boolean flatten;
        /** relative path -> ownership entry; insertion order = extraction order. Spans layers when flattening. */
        private final Map<String, OwnershipEntry> ownership;
        /** Flattening: directories made writable (u+rwx) to apply an upper layer -> their mode to restore. */
        private final Map<String, Integer> lockedDirModes;
        /** relative path ("" = root) -> directory metadata to apply at the end of this layer. */
        private final Map<String, DirMeta> dirs = new HashMap<>();
        /** relative paths of whiteouts made in this layer. */
        private final Set<String> whiteoutPaths = new HashSet<>();
        /** relative paths of regular files extracted in this layer (hard link targets). */
        private final Set<String> regularFiles = new HashSet<>();
        /** relative paths this layer created or listed (flattening tells them from lower layers' content). */
        private final Set<String> created = new HashSet<>();
        private final Map<String, List<String>> skipped = new TreeMap<>();
        private final byte[] buffer = new byte[BUFFER];

        Run(Path root, boolean flatten, Map<String, OwnershipEntry> ownership, Map<String, Integer> lockedDirModes)
                throws IOException {
            this.root = root;
            this.flatten = flatten;
            this.ownership = ownership;
            this.lockedDirModes = lockedDirModes;
            Object uid = Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            this.callerIsRoot = Integer.valueOf(0).equals(uid);
        }

        void startLayer() throws IOException {
            dirs.clear();
            whiteoutPaths.clear();
            regularFiles.clear();
            created.clear();
            skipped.clear();
            makeWritable(root, "");
        }

        private void makeWritable(Path dir, String rel) throws IOException {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            if ((mode & 0700) != 0700) {
                lockedDirModes.putIfAbsent(rel, mode);
                Files.setAttribute(dir, "unix:mode", mode | 0700, LinkOption.NOFOLLOW_LINKS);
            }
        }

        void restoreLockedDirectories() throws IOException {
            List<String> ordered = new ArrayList<>(lockedDirModes.keySet());
            ordered.sort(Comparator.comparingInt(LayerUnpacker::depth).reversed());
            for (String rel : ordered) {
                Path dir = rel.isEmpty() ? root : root.resolve(rel);
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(dir, "unix:mode", lockedDirModes.get(rel), LinkOption.NOFOLLOW_LINKS);
                }
            }
            lockedDirModes.clear();
        }

        /** Removes a lower layer's entry (flattening), with everything recorded below it. */
        private void removeLower(Path target, String rel) throws IOException {
            BasicFileAttributes a = lstat(target);
            if (a == null) {
                return;
            }
            if (a.isDirectory()) {
                deleteTree(target);
            } else {
                Files.delete(target);
            }
            forget(rel);
        }

        /** Drops all bookkeeping for rel and everything below it. */
        private void forget(String rel) {
            String prefix = rel + "/";
            ownership.keySet().removeIf(k -> k.equals(rel) || k.startsWith(prefix));
            dirs.keySet().removeIf(k -> k.equals(rel) || k.startsWith(prefix));
            regularFiles.removeIf(k -> k.equals(rel) || k.startsWith(prefix));
            whiteoutPaths.removeIf(k -> k.equals(rel) || k.startsWith(prefix));
            created.removeIf(k -> k.equals(rel) || k.startsWith(prefix));
            lockedDirModes.keySet().removeIf(k -> k.equals(rel) || k.startsWith(prefix));
        }

        /** Flattening's opaque directory: everything lower layers put in it goes. */
        private void removeLowerChildren(Path dir, String rel) throws IOException {
            List<Path> children = new ArrayList<>();
            try (java.nio.file.DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
                list.forEach(children::add);
            }
            for (Path child : children) {
                String childRel = rel.isEmpty() ? child.getFileName().toString() : rel + "/" + child.getFileName();
                if (!created.contains(childRel)) {
                    removeLower(child, childRel);
                }
            }
        }

        void extract(TarArchiveEntry entry, InputStream data) throws IOException, LayerRefusedException {
            List<String> components = components(entry.getName(), "entry");
            if (components.isEmpty()) {
                // "./" or "/": the layer root itself.
                if (EntryType.of(entry) != EntryType.DIRECTORY) {
                    throw new LayerRefusedException("layer entry \"" + shorten(entry.getName())
                            + "\" names the layer root but is not a directory: refusing the layer");
                }
                dirs.put("", new DirMeta(mode(entry), entry.getLastModifiedTime()));
                recordOwner("", "", ".", entry, false);
                return;
            }
            String name = components.get(components.size() - 1);
            List<String> parentComponents = components.subList(0, components.size() - 1);
            String parentRel = String.join("/", parentComponents);
            String rel = parentRel.isEmpty() ? name : parentRel + "/" + name;

            if (name.startsWith(LayerFormat.WHITEOUT_PREFIX)) {
                whiteout(entry, parentComponents, parentRel, name);
                return;
            }
            // Dispatch on the type flag itself: commons-compress's isFile() is also true for
            // hard links and symlinks, and treating a link as a file would hide what it is.
            EntryType type = EntryType.of(entry);
            if (type == EntryType.SPECIAL) {
                skip("device nodes and fifos (rootless users cannot create them)", rel);
                return;
            }
            if (type == EntryType.UNSUPPORTED) {
                skip("unsupported tar entry types", rel + " (type '" + (char) entry.getLinkFlag() + "')");
                return;
            }

            Path parent = ensureDirectories(parentComponents, entry.getName());
            Path target = parent.resolve(name);
            created.add(rel);
            if (type == EntryType.DIRECTORY) {
                boolean wasWhiteout = whiteoutPaths.contains(rel);
                if (!prepareTarget(target, rel, true)) {
                    Files.createDirectory(target);
                } else if (flatten) {
                    makeWritable(target, rel);
                }
                if (wasWhiteout) {
                    // .wh.NAME and directory NAME in one layer: lower NAME hidden, this one shown.
                    markOpaque(target, rel);
                }
                dirs.put(rel, new DirMeta(mode(entry), entry.getLastModifiedTime()));
                recordOwner(rel, parentRel, name, entry, false);
                setXattrs(entry, target, rel);
            } else if (type == EntryType.FILE) {
                writeFile(entry, data, target, rel);
                regularFiles.add(rel);
                recordOwner(rel, parentRel, name, entry, false);
            } else if (type == EntryType.SYMLINK) {
                String linkTarget = entry.getLinkName();
                if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0
                        || linkTarget.getBytes(StandardCharsets.UTF_8).length > limits.maxNameLength()) {
                    throw new LayerRefusedException("layer entry \"" + rel + "\" is a symlink with an empty, NUL-containing"
                            + " or over-long target: refusing the layer as malformed");
                }
                prepareTarget(target, rel, false);
                // The target text is stored verbatim: it is only ever interpreted inside the
                // container's root; jrun itself never follows links inside a layer.
                Files.createSymbolicLink(target, Paths.get(linkTarget));
                setTimes(target, entry.getLastModifiedTime());
                recordOwner(rel, parentRel, name, entry, true);
            } else {
                hardLink(entry, target, rel, parentRel, name);
            }
        }

        private void writeFile(TarArchiveEntry entry, InputStream data, Path target, String rel)
                throws IOException, LayerRefusedException {
            long size = entry.getSize();
            if (size > limits.maxEntryBytes()) {
                throw new LayerRefusedException("layer entry \"" + rel + "\" declares " + size
                        + " bytes, more than the limit of " + limits.maxEntryBytes()
                        + " (maxEntryBytes): refusing the layer");
            }
            prepareTarget(target, rel, false);
            // CREATE_NEW = O_EXCL and NOFOLLOW_LINKS = O_NOFOLLOW: never open through a symlink
            // even if one appeared at the final component.
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                long written = 0;
                int n;
                while ((n = data.read(buffer)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    written += n;
                }
                if (written != size) {
                    throw new LayerRefusedException("layer entry \"" + rel + "\" is truncated: declared " + size
                            + " bytes, archive ended after " + written + ". Pull again.");
                }
            }
            setXattrs(entry, target, rel);
            Files.setAttribute(target, "unix:mode", mode(entry), LinkOption.NOFOLLOW_LINKS);
            setTimes(target, entry.getLastModifiedTime());
        }

        private void hardLink(TarArchiveEntry entry, Path target, String rel, String parentRel, String name)
                throws IOException, LayerRefusedException {
            String linkName = entry.getLinkName();
            List<String> linkComponents = components(linkName == null ? "" : linkName, "hard link target of \"" + rel + "\"");
            String linkRel = String.join("/", linkComponents);
            if (linkComponents.isEmpty() || linkRel.equals(rel)) {
                throw new LayerRefusedException("layer entry \"" + rel + "\" is a hard link to \""
                        + shorten(String.valueOf(linkName)) + "\", which is the layer root or the link itself:"
                        + " refusing the layer as malformed");
            }
            // Resolve the existing file without following anything: every parent a real
            // directory, the final component a regular file this layer extracted. A hard link
            // to a symlink or to something outside would otherwise let a later write through
            // the link land outside the layer (the "hardlink breakout" class of tar bugs).
            Path existing = resolveExisting(linkComponents, rel);
            if (!regularFiles.contains(linkRel) || !Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw new LayerRefusedException("layer entry \"" + rel + "\" is a hard link to \"" + linkRel
                        + "\", which is not a regular file extracted earlier in this layer (it is missing, not yet"
                        + " extracted, a directory, a symlink, or a whiteout): refusing the layer; hard links may not"
                        + " point into other layers or outside the image");
            }
            prepareTarget(target, rel, false);
            Files.createLink(target, existing);
            regularFiles.add(rel);
            OwnershipEntry targetOwner = ownership.get(linkRel);
            if (targetOwner != null) {
                ownership.put(rel, new OwnershipEntry(parentRel, name, targetOwner.uid(), targetOwner.gid(),
                        targetOwner.restoreMode(), false));
            }
        }

        private Path resolveExisting(List<String> components, String forEntry) throws IOException, LayerRefusedException {
            Path p = root;
            for (int i = 0; i < components.size(); i++) {
                p = p.resolve(components.get(i));
                BasicFileAttributes a = lstat(p);
                if (a == null) {
                    throw new LayerRefusedException("layer entry \"" + forEntry + "\" is a hard link to \""
                            + String.join("/", components) + "\", which does not exist (yet) in this layer: refusing"
                            + " the layer; hard links may only point at files extracted earlier in the same layer");
                }
                if (i < components.size() - 1 && !a.isDirectory()) {
                    throw new LayerRefusedException("layer entry \"" + forEntry + "\" is a hard link through \""
                            + String.join("/", components.subList(0, i + 1)) + "\", which is "
                            + (a.isSymbolicLink() ? "a symlink" : "not a directory")
                            + ": refusing the layer (links are never resolved through symlinks)");
                }
            }
            return p;
        }

        private void whiteout(TarArchiveEntry entry, List<String> parentComponents, String parentRel, String name)
                throws IOException, LayerRefusedException {
            String shown = parentRel.isEmpty() ? name : parentRel + "/" + name;
            if (name.equals(LayerFormat.OPAQUE_WHITEOUT)) {
                Path parent = ensureDirectories(parentComponents, entry.getName());
                if (flatten) {
                    removeLowerChildren(parent, parentRel);
                } else {
                    markOpaque(parent, parentRel);
                }
                return;
            }
            if (name.startsWith(LayerFormat.WHITEOUT_PREFIX + LayerFormat.WHITEOUT_PREFIX)) {
                skip("AUFS metadata entries", shown);
                return;
            }
            String hidden = name.substring(LayerFormat.WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                // ".wh.." would whiteout the parent of the directory: a traversal in disguise.
                throw new LayerRefusedException("layer entry \"" + shorten(entry.getName())
                        + "\" is a whiteout of \"" + hidden + "\", which is not a file name: refusing the layer");
            }
            Path parent = ensureDirectories(parentComponents, entry.getName());
            Path target = parent.resolve(hidden);
            String rel = parentRel.isEmpty() ? hidden : parentRel + "/" + hidden;
            BasicFileAttributes existing = lstat(target);
            if (flatten) {
                if (existing == null) {
                    return;
                }
                if (!created.contains(rel)) {
                    removeLower(target, rel);
                } else if (existing.isDirectory()) {
                    // This layer's own directory stays; the lower one's content goes.
                    removeLowerChildren(target, rel);
                }
                return;
            }
            if (existing == null) {
                whiteouts.makeWhiteout(target);
                whiteoutPaths.add(rel);
            } else if (existing.isDirectory() && !whiteoutPaths.contains(rel)) {
                // The directory is this layer's own; the whiteout hides only the lower one.
                markOpaque(target, rel);
            }
            // A file or symlink this layer already put at NAME hides the lower NAME by itself.
        }

        private void markOpaque(Path dir, String rel) throws IOException {
            try {
                UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                view.write(LayerFormat.OPAQUE_XATTR_USER_VIEW_NAME, ByteBuffer.wrap(new byte[] {'y'}));
            } catch (IOException | UnsupportedOperationException e) {
                throw new LayerIOException("cannot mark directory \"" + (rel.isEmpty() ? "/" : rel) + "\" opaque (xattr "
                        + LayerFormat.OPAQUE_XATTR + "): " + e.getMessage()
                        + "; the store's filesystem must support user extended attributes (ext4, xfs, btrfs, tmpfs"
                        + " on Linux >= 6.6): choose another --root", e);
            }
        }

        /**
         * Walks {@code components} from the root with NOFOLLOW, creating missing directories,
         * refusing the layer if any is a symlink or not a directory.
         */
        private Path ensureDirectories(List<String> components, String entryName) throws IOException, LayerRefusedException {
            Path p = root;
            for (int i = 0; i < components.size(); i++) {
                p = p.resolve(components.get(i));
                String rel = String.join("/", components.subList(0, i + 1));
                BasicFileAttributes a = lstat(p);
                if (a == null) {
                    Files.createDirectory(p);
                    created.add(rel);
                    dirs.putIfAbsent(rel, new DirMeta(0755, null));
                } else if (flatten && !a.isDirectory() && !created.contains(rel)) {
                    // A lower layer's file or symlink where this layer needs a directory: the
                    // overlay would show this layer's directory, so the flattened copy does too.
                    // The lower symlink is removed, never followed.
                    removeLower(p, rel);
                    Files.createDirectory(p);
                    created.add(rel);
                    dirs.putIfAbsent(rel, new DirMeta(0755, null));
                } else if (flatten && a.isDirectory()) {
                    makeWritable(p, rel);
                } else if (whiteoutPaths.contains(rel)) {
                    // A whiteout, then entries below the same name: the directory replaces the
                    // whiteout and, being this layer's, is opaque over the lower one.
                    Files.delete(p);
                    whiteoutPaths.remove(rel);
                    Files.createDirectory(p);
                    dirs.putIfAbsent(rel, new DirMeta(0755, null));
                    markOpaque(p, rel);
                } else if (!a.isDirectory()) {
                    // Writing below a symlink would follow it out of the layer (entry a -> /etc,
                    // then a/passwd): the CVE-2018-15664 / Zip Slip family. Never follow; refuse.
                    throw new LayerRefusedException("layer entry \"" + shorten(entryName)
                            + "\" would be written below \"" + rel + "\", which this layer made a "
                            + (a.isSymbolicLink() ? "symlink" : "non-directory")
                            + ": refusing the layer (it may be trying to write outside the image through a link)");
                }
            }
            return p;
        }

        /**
         * Clears the way for a new entry at {@code target}. Returns true if an existing
         * directory is kept (directory over directory merges).
         */
        private boolean prepareTarget(Path target, String rel, boolean newIsDirectory) throws IOException {
            BasicFileAttributes a = lstat(target);
            if (a == null) {
                return false;
            }
            if (a.isDirectory() && newIsDirectory) {
                return true;
            }
            if (a.isDirectory()) {
                deleteTree(target);
            } else {
                Files.delete(target); // unlinks a symlink itself, never its target
            }
            forget(rel);
            created.add(rel); // the new entry takes its place in this layer
            return false;
        }

        private void recordOwner(String rel, String parentRel, String name, TarArchiveEntry entry, boolean symlink) {
            long uid = entry.getLongUserId();
            long gid = entry.getLongGroupId();
            if (uid == 0 && gid == 0) {
                ownership.remove(rel);
                return;
            }
            int mode = mode(entry);
            boolean restore = EntryType.of(entry) == EntryType.FILE && (mode & 06000) != 0;
            ownership.put(rel, new OwnershipEntry(parentRel, name, (int) Math.min(uid, Integer.MAX_VALUE),
                    (int) Math.min(gid, Integer.MAX_VALUE), restore ? mode : -1, symlink));
        }

        private void setXattrs(TarArchiveEntry entry, Path target, String rel) throws IOException, LayerRefusedException {
            Map<String, String> pax = entry.getExtraPaxHeaders();
            if (pax.isEmpty()) {
                return;
            }
            long total = 0;
            UserDefinedFileAttributeView view = null;
            for (Map.Entry<String, String> h : pax.entrySet()) {
                if (!h.getKey().startsWith(SCHILY_XATTR)) {
                    continue;
                }
                String xattr = h.getKey().substring(SCHILY_XATTR.length());
                byte[] value = h.getValue().getBytes(StandardCharsets.UTF_8);
                total += xattr.length() + value.length;
                if (total > limits.maxXattrBytes()) {
                    throw new LayerRefusedException("layer entry \"" + rel + "\" carries more than "
                            + limits.maxXattrBytes() + " bytes of extended attributes (limit maxXattrBytes): refusing the layer");
                }
                // Overlay metadata must come from jrun's own whiteout handling only: a planted
                // user.overlay.redirect/metacopy/whiteout/opaque would change what the mount shows.
                boolean allowed = xattr.startsWith("user.") && !xattr.startsWith("user.overlay.");
                if (!allowed && callerIsRoot && xattr.startsWith("security.")) {
                    allowed = true;
                }
                if (!allowed) {
                    skip("extended attributes jrun does not set (only user.*; security.* as root)", rel + " " + xattr);
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
                        skip("extended attributes jrun does not set (only user.*; security.* as root)", rel + " " + xattr);
                    }
                } catch (IOException e) {
                    skip("extended attributes the store's filesystem refused", rel + " " + xattr + ": " + e.getMessage());
                }
            }
        }

        private void skip(String kind, String what) {
            skipped.computeIfAbsent(kind, k -> new ArrayList<>()).add(what);
        }

        List<String> notes() {
            List<String> notes = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : skipped.entrySet()) {
                List<String> items = e.getValue();
                String examples = String.join(", ", items.subList(0, Math.min(3, items.size())));
                notes.add("skipped " + items.size() + " " + e.getKey() + ": " + examples
                        + (items.size() > 3 ? ", ..." : ""));
            }
            return notes;
        }

        /** Directory modes and mtimes, deepest first, after all their contents exist. */
        void finish() throws IOException {
            List<Map.Entry<String, DirMeta>> ordered = new ArrayList<>(dirs.entrySet());
            ordered.sort(Comparator.comparingInt((Map.Entry<String, DirMeta> e) -> depth(e.getKey())).reversed());
            for (Map.Entry<String, DirMeta> e : ordered) {
                Path dir = e.getKey().isEmpty() ? root : root.resolve(e.getKey());
                Files.setAttribute(dir, "unix:mode", e.getValue().mode, LinkOption.NOFOLLOW_LINKS);
                lockedDirModes.remove(e.getKey()); // this layer's mode is the one to keep
                if (e.getValue().mtime != null) {
                    setTimes(dir, e.getValue().mtime);
                }
            }
        }

        private List<String> components(String name, String what) throws LayerRefusedException {
            if (name.indexOf('\0') >= 0) {
                throw new LayerRefusedException("layer " + what + " \"" + shorten(name.replace('\0', '?'))
                        + "\" contains a NUL byte: refusing the layer as malformed");
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > limits.maxNameLength()) {
                throw new LayerRefusedException("layer " + what + " \"" + shorten(name) + "\" is longer than "
                        + limits.maxNameLength() + " bytes (limit maxNameLength): refusing the layer");
            }
            List<String> out = new ArrayList<>();
            // Leading "/" is dropped with the empty components: absolute names are relative
            // to the layer root, never to the host's.
            for (String c : name.split("/")) {
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    // Zip Slip: refuse outright rather than normalise, a ".." in a layer is never benign.
                    throw new LayerRefusedException("layer " + what + " \"" + shorten(name)
                            + "\" contains \"..\": refusing the layer (it tries to reach outside the image root)");
                }
                if (c.getBytes(StandardCharsets.UTF_8).length > 255) {
                    // NAME_MAX on Linux filesystems; say so instead of failing with ENAMETOOLONG later.
                    throw new LayerRefusedException("layer " + what + " \"" + shorten(name) + "\" has a component longer"
                            + " than 255 bytes, which Linux file systems cannot store: refusing the layer");
                }
                out.add(c);
            }
            if (out.size() > limits.maxDepth()) {
                throw new LayerRefusedException("layer " + what + " \"" + shorten(name) + "\" is " + out.size()
                        + " directories deep, more than " + limits.maxDepth() + " (limit maxDepth): refusing the layer");
            }
            return out;
        }
    }

    // Messages quote archive names; a hostile archive must not flood the terminal.
    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " characters)";
    }

    private static int depth(String rel) {
        if (rel.isEmpty()) {
            return 0;
        }
        int d = 1;
        for (int i = 0; i < rel.length(); i++) {
            if (rel.charAt(i) == '/') {
                d++;
            }
        }
        return d;
    }

    private static int mode(TarArchiveEntry entry) {
        return entry.getMode() & 07777;
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void setTimes(Path p, FileTime mtime) throws IOException {
        try {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, mtime, null);
        } catch (IOException e) {
            // lutimes on a symlink can fail on old kernels/filesystems; a symlink's mtime is cosmetic.
            if (!Files.isSymbolicLink(p)) {
                throw e;
            }
        }
    }

    /** Deletes a directory tree without following symlinks (walkFileTree does not follow by default). */
    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                // Our own directories may carry read-only modes from an earlier entry.
                Files.setAttribute(d, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                try {
                    Files.delete(d);
                } catch (DirectoryNotEmptyException e) {
                    throw new IOException("cannot remove directory " + d + " while replacing it: " + e.getMessage(), e);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private record DirMeta(int mode, FileTime mtime) {
    }

    private enum EntryType {
        FILE, DIRECTORY, SYMLINK, HARDLINK, SPECIAL, UNSUPPORTED;

        static EntryType of(TarArchiveEntry e) {
            if (e.isSparse()) {
                return UNSUPPORTED;
            }
            switch (e.getLinkFlag()) {
                case TarConstants.LF_NORMAL:
                case TarConstants.LF_OLDNORM:
                case TarConstants.LF_CONTIG:
                    return FILE;
                case TarConstants.LF_DIR:
                    return DIRECTORY;
                case TarConstants.LF_SYMLINK:
                    return SYMLINK;
                case TarConstants.LF_LINK:
                    return HARDLINK;
                case TarConstants.LF_CHR:
                case TarConstants.LF_BLK:
                case TarConstants.LF_FIFO:
                    return SPECIAL;
                default:
                    return UNSUPPORTED;
            }
        }
    }

    /** A failure reading the layer stream (as opposed to writing the directory). */
    static final class ArchiveReadException extends IOException {
        private static final long serialVersionUID = 1L;

        ArchiveReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Marks every read failure as an {@link ArchiveReadException}. */
    private static final class ReadTagging extends FilterInputStream {
        ReadTagging(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (ArchiveReadException | LimitExceeded | MetadataTooLarge e) {
                throw e;
            } catch (IOException e) {
                throw new ArchiveReadException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (ArchiveReadException | LimitExceeded | MetadataTooLarge e) {
                throw e;
            } catch (IOException e) {
                throw new ArchiveReadException(e);
            }
        }
    }

    /** An I/O failure that already carries a full message; not to be re-wrapped as "malformed". */
    static final class LayerIOException extends IOException {
        private static final long serialVersionUID = 1L;

        LayerIOException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown by {@link LimitedInputStream}; an IOException so it passes through commons-compress. */
    static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded() {
            super("uncompressed size limit exceeded");
        }
    }

    /** Fails once more than {@code limit} bytes have been read: the decompression-bomb guard. */
    static final class LimitedInputStream extends ObservedInputStream {
        private final long limit;
        private long count;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        protected void observe(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > limit) throw new LimitExceeded();
        }
    }

    /** Thrown by {@link MetadataEntryGuard}. */
    public static final class MetadataTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final String kind;
        final long size;

        MetadataTooLarge(String kind, long size) {
            super(kind + " entry of " + size + " bytes");
            this.kind = kind;
            this.size = size;
        }
    }

    /**
     * Looks at every 512-byte-aligned block going by; a valid tar header of a metadata type
     * (GNU long name 'L' / long link 'K', PAX 'x' / 'g') declaring more than
     * {@link #MAX_METADATA_ENTRY_BYTES} stops the stream before commons-compress buffers it.
     * Checking every aligned block (not only the ones that are headers) keeps it independent
     * of the tar parser's state; file data that happens to contain such a header (an embedded
     * tar with a megabyte-sized PAX header) would be refused too, which no real image has.
     */
    public static final class MetadataEntryGuard extends ObservedInputStream {
        private final byte[] block = new byte[TAR_BLOCK];
        private int filled;

        public MetadataEntryGuard(InputStream in) {
            super(in);
        }

        @Override
        protected void observe(byte[] b, int off, int n) throws IOException {
            int i = 0;
            while (i < n) {
                int take = Math.min(n - i, TAR_BLOCK - filled);
                System.arraycopy(b, off + i, block, filled, take);
                filled += take;
                i += take;
                if (filled == TAR_BLOCK) {
                    inspect();
                    filled = 0;
                }
            }
        }

        private void inspect() throws IOException {
            byte type = block[156];
            if (type != 'L' && type != 'K' && type != 'x' && type != 'g') {
                return;
            }
            if (block[257] != 'u' || block[258] != 's' || block[259] != 't' || block[260] != 'a' || block[261] != 'r') {
                return;
            }
            if (!org.apache.commons.compress.archivers.tar.TarUtils.verifyCheckSum(block)) {
                return;
            }
            long size;
            try {
                size = org.apache.commons.compress.archivers.tar.TarUtils.parseOctalOrBinary(block, 124, 12);
            } catch (IllegalArgumentException e) {
                return; // the tar parser reports the malformed header itself
            }
            if (size > MAX_METADATA_ENTRY_BYTES) {
                String kind = type == 'L' ? "GNU long name" : type == 'K' ? "GNU long link name" : "PAX header";
                throw new MetadataTooLarge(kind, size);
            }
        }
    }

    /** Discards bytes. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

}
