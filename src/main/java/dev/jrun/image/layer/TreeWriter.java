package dev.jrun.image.layer;

import dev.jrun.image.tar.TarHeader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.jrun.store.JavaRemover;

import static dev.jrun.image.layer.EntryPath.shorten;

/**
 * Writes the entries of one layer (or, flattening, of several layers one over the other) into
 * a directory private to this process, with the decisions {@link LayerUnpacker} documents:
 * never through a symlink, links only to this layer's files, whiteouts recorded for overlayfs
 * or applied (flattening), modes and times of directories set last, deepest first.
 */
final class TreeWriter {

    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final UnpackLimits limits;
    private final WhiteoutPolicy policy;
    private final boolean callerIsRoot;
    /** relative path -> ownership entry; insertion order = extraction order. Spans layers when flattening. */
    private final Map<String, OwnershipEntry> ownership = new LinkedHashMap<>();
    /** relative path ("" = root) -> directory metadata to apply at the end of this layer. */
    private final Map<String, DirMeta> dirs = new HashMap<>();
    /** relative paths of regular files extracted in this layer (hard link targets). */
    private final Set<String> regularFiles = new HashSet<>();
    /** relative paths this layer created or listed (flattening tells them from lower layers' content). */
    private final Set<String> created = new HashSet<>();
    private final Map<String, List<String>> skipped = new TreeMap<>();
    private final byte[] buffer = new byte[BUFFER];

    TreeWriter(Path root, UnpackLimits limits, WhiteoutPolicy policy) throws IOException {
        this.root = root;
        this.limits = limits;
        this.policy = policy;
        Object uid = Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        this.callerIsRoot = Integer.valueOf(0).equals(uid);
    }

    Path root() {
        return root;
    }

    void startLayer() throws IOException {
        dirs.clear();
        regularFiles.clear();
        created.clear();
        skipped.clear();
        policy.startLayer(this);
    }

    /** All layers were written (a flattened copy's end). */
    void finishCopy() throws IOException {
        policy.finishCopy(this);
    }

    /** True if this layer created or listed {@code rel} (flattening tells it from lower layers' content). */
    boolean createdInThisLayer(String rel) {
        return created.contains(rel);
    }

    /** A directory the policy made at {@code rel} for this layer, mode 0755 unless the layer lists it. */
    void madeDirectory(String rel, boolean created) {
        if (created) {
            this.created.add(rel);
        }
        dirs.putIfAbsent(rel, new DirMeta(0755, null));
    }

    static boolean isAtOrBelow(String path, String rel) {
        return path.equals(rel) || path.startsWith(rel + "/");
    }

    /** Drops all bookkeeping for rel and everything below it. */
    void forget(String rel) {
        ownership.keySet().removeIf(k -> isAtOrBelow(k, rel));
        dirs.keySet().removeIf(k -> isAtOrBelow(k, rel));
        regularFiles.removeIf(k -> isAtOrBelow(k, rel));
        created.removeIf(k -> isAtOrBelow(k, rel));
        policy.forget(rel);
    }

    void extract(TarHeader entry, InputStream data) throws IOException, LayerRefusedException {
        if (entry.type() == TarHeader.PAX_GLOBAL) {
            return; // Docker and containers/storage ignore global PAX headers, whatever their name
        }
        if (entry.uid() < 0 || entry.gid() < 0) {
            throw new LayerRefusedException("layer entry \"" + shorten(entry.displayName()) + "\" is owned by a negative"
                    + " user or group ID (" + entry.uid() + ":" + entry.gid() + "): refusing the layer as malformed");
        }
        List<String> components = EntryPath.components(entry.name(), "entry", limits);
        if (components.isEmpty()) {
            // "./" or "/": the layer root itself.
            if (EntryType.of(entry) != EntryType.DIRECTORY) {
                throw new LayerRefusedException("layer entry \"" + shorten(entry.displayName())
                        + "\" names the layer root but is not a directory: refusing the layer");
            }
            dirs.put("", new DirMeta(mode(entry), mtime(entry)));
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
        EntryType type = EntryType.of(entry);
        if (type == EntryType.IGNORED) {
            return;
        }
        if (type == EntryType.SPECIAL) {
            skip("device nodes and fifos (rootless users cannot create them)", rel);
            return;
        }
        if (type == EntryType.UNSUPPORTED) {
            skip("unsupported tar entry types", rel + " (type '" + (char) entry.type() + "')");
            return;
        }

        Path parent = ensureDirectories(parentComponents, entry.displayName());
        Path target = EntryPath.resolve(parent, name);
        created.add(rel);
        if (type == EntryType.DIRECTORY) {
            boolean wasWhiteout = policy.isWhiteout(rel);
            if (!prepareTarget(target, rel, true)) {
                Files.createDirectory(target);
            } else {
                policy.keepDirectory(this, target, rel);
            }
            if (wasWhiteout) {
                // .wh.NAME and directory NAME in one layer: lower NAME hidden, this one shown.
                markOpaque(target, rel);
            }
            dirs.put(rel, new DirMeta(mode(entry), mtime(entry)));
            recordOwner(rel, parentRel, name, entry, false);
            setXattrs(entry, target, rel);
        } else if (type == EntryType.FILE) {
            writeFile(entry, data, target, rel);
            regularFiles.add(rel);
            recordOwner(rel, parentRel, name, entry, false);
        } else if (type == EntryType.SYMLINK) {
            byte[] linkBytes = entry.linkName();
            if (linkBytes.length == 0 || linkBytes.length > limits.maxNameLength()) {
                throw new LayerRefusedException("layer entry \"" + rel + "\" is a symlink with an empty"
                        + " or over-long target: refusing the layer as malformed");
            }
            String linkTarget = EntryPath.decode(linkBytes, "symlink target of \"" + rel + "\"");
            prepareTarget(target, rel, false);
            // The target text is stored verbatim: it is only ever interpreted inside the
            // container's root; jrun itself never follows links inside a layer.
            Files.createSymbolicLink(target, EntryPath.linkTarget(linkTarget));
            setTimes(target, mtime(entry));
            recordOwner(rel, parentRel, name, entry, true);
        } else {
            hardLink(entry, target, rel, parentRel, name);
        }
    }

    private void writeFile(TarHeader entry, InputStream data, Path target, String rel)
            throws IOException, LayerRefusedException {
        long size = entry.size();
        if (size > limits.maxEntryBytes()) {
            throw new LayerRefusedException("layer entry \"" + rel + "\" declares " + size
                    + " bytes, more than the limit of " + limits.maxEntryBytes()
                    + " (maxEntryBytes): refusing the layer");
        }
        prepareTarget(target, rel, false);
        FileContent.write(entry, data, target, buffer);
        setXattrs(entry, target, rel);
        // Times before the mode: the JDK sets times through open(O_RDONLY), which a mode without
        // owner read (RHEL ships /etc/shadow as 0000) would refuse to the unprivileged caller.
        setTimes(target, mtime(entry));
        Files.setAttribute(target, "unix:mode", mode(entry), LinkOption.NOFOLLOW_LINKS);
    }

    private void hardLink(TarHeader entry, Path target, String rel, String parentRel, String name)
            throws IOException, LayerRefusedException {
        String linkName = entry.displayLinkName();
        List<String> linkComponents = EntryPath.components(entry.linkName(), "hard link target of \"" + rel + "\"",
                limits);
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
            p = EntryPath.resolve(p, components.get(i));
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

    private void whiteout(TarHeader entry, List<String> parentComponents, String parentRel, String name)
            throws IOException, LayerRefusedException {
        String shown = parentRel.isEmpty() ? name : parentRel + "/" + name;
        if (name.equals(LayerFormat.OPAQUE_WHITEOUT)) {
            Path parent = ensureDirectories(parentComponents, entry.displayName());
            policy.opaque(this, parent, parentRel);
            return;
        }
        if (name.startsWith(LayerFormat.WHITEOUT_PREFIX + LayerFormat.WHITEOUT_PREFIX)) {
            skip("AUFS metadata entries", shown);
            return;
        }
        String hidden = name.substring(LayerFormat.WHITEOUT_PREFIX.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            // ".wh.." would whiteout the parent of the directory: a traversal in disguise.
            throw new LayerRefusedException("layer entry \"" + shorten(entry.displayName())
                    + "\" is a whiteout of \"" + hidden + "\", which is not a file name: refusing the layer");
        }
        Path parent = ensureDirectories(parentComponents, entry.displayName());
        Path target = EntryPath.resolve(parent, hidden);
        String rel = parentRel.isEmpty() ? hidden : parentRel + "/" + hidden;
        policy.whiteout(this, target, rel);
    }

    void markOpaque(Path dir, String rel) throws IOException {
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
            p = EntryPath.resolve(p, components.get(i));
            String rel = String.join("/", components.subList(0, i + 1));
            BasicFileAttributes a = lstat(p);
            if (a == null) {
                Files.createDirectory(p);
                madeDirectory(rel, true);            } else if (!policy.parentExists(this, p, rel, a)) {
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

    private void recordOwner(String rel, String parentRel, String name, TarHeader entry, boolean symlink)
            throws LayerRefusedException {
        long uid = entry.uid();
        long gid = entry.gid();
        if (uid == 0 && gid == 0) {
            ownership.remove(rel);
            return;
        }
        // A name that is not UTF-8 is carried as its bytes to the chown in the user namespace
        // (dev.jrun.sys.NameBytes encodes it for the operation list).
        int mode = mode(entry);
        boolean restore = EntryType.of(entry) == EntryType.FILE && (mode & 06000) != 0;
        ownership.put(rel, new OwnershipEntry(parentRel, name, (int) Math.min(uid, Integer.MAX_VALUE),
                (int) Math.min(gid, Integer.MAX_VALUE), restore ? mode : -1, symlink));
    }

    private void setXattrs(TarHeader entry, Path target, String rel) throws IOException, LayerRefusedException {
        Xattrs.apply(entry, target, rel, limits.maxXattrBytes(), callerIsRoot, this::skip);
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
            Path dir = EntryPath.resolveRelative(root, e.getKey());
            // Times first (they open the directory), then the mode, which may deny the owner
            // everything (0000, 0300): as tar and containers/storage do.
            if (e.getValue().mtime != null) {
                setTimes(dir, e.getValue().mtime);
            }
            Files.setAttribute(dir, "unix:mode", e.getValue().mode, LinkOption.NOFOLLOW_LINKS);
            policy.directoryModeSet(e.getKey());
        }
    }


    /** Ownership entries so far (all layers, when flattening), in extraction order. */
    Collection<OwnershipEntry> ownership() {
        return ownership.values();
    }

    static int depth(String rel) {
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

    private static int mode(TarHeader entry) {
        return (int) (entry.mode() & 07777);
    }

    private static FileTime mtime(TarHeader entry) {
        long s = entry.mtimeSeconds();
        // Instant covers +-1e9 years; a base-256 field can say more, which no file system stores anyway.
        if (Math.abs(s) < 31_000_000_000_000_000L) {
            return FileTime.from(Instant.ofEpochSecond(s, entry.mtimeNanos()));
        }
        return FileTime.from(s, TimeUnit.SECONDS);
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
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

    /**
     * Deletes a tree of this unpack without following symlinks; directories of a lower layer
     * (flattening) may deny their owner access, which {@link JavaRemover} restores first.
     */
    static void deleteTree(Path dir) throws IOException {
        new JavaRemover().removeTree(dir);
    }

    private record DirMeta(int mode, FileTime mtime) {
    }

    /** A write failure that already carries a full message (what failed and what to do). */
    static final class LayerIOException extends IOException {
        private static final long serialVersionUID = 1L;

        LayerIOException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
