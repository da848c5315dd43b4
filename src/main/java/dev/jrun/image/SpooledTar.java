package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.image.tar.TarFormatException;
import dev.jrun.image.tar.TarHeader;
import dev.jrun.image.tar.TarInput;
import dev.jrun.image.tar.TarReader;
import dev.jrun.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An image archive (tar, maybe gzip-compressed) read once, front to back, with every regular
 * file copied into a private directory in the store's tmp/ under a number (never under its
 * name) and hashed on the way. The formats need random access (podman writes manifest.json
 * last, Docker first), and a stream (stdin) can be read only once, hence the spool; the names
 * are only keys of a map, so nothing in the archive decides where anything is written.
 *
 * <p>Refused: names that are absolute or climb out ({@link ArchivePaths#clean}), a name given
 * twice (two different contents for one name would make the archive ambiguous), device nodes
 * and fifos (no image archive has them), sparse entries, more than the {@link ArchiveLimits},
 * and anything {@link TarReader} refuses (it reads tar as Docker's Go reader does).
 * Symbolic and hard links are kept as links and followed only inside the archive (podman's
 * docker-archive links {@code ID/layer.tar} to {@code DIFFID.tar}).
 */
final class SpooledTar implements ArchiveFiles {
    private static final int MAX_LINK_HOPS = 16;

    private final Path dir;
    private final String source;
    private final Map<String, ArchiveFile> files = new HashMap<>();
    private final Map<String, String> symlinks = new HashMap<>();
    private final Map<String, String> hardlinks = new HashMap<>();
    private final Set<String> directories = new HashSet<>();

    private SpooledTar(Path dir, String source) {
        this.dir = dir;
        this.source = source;
    }

    /**
     * Spools {@code in} into a new directory under {@code storeTmp}; {@link #close()} removes it.
     *
     * @param source "archive FILE" or "standard input", for messages
     */
    static SpooledTar spool(InputStream in, Path storeTmp, ArchiveLimits limits, String source) throws JrunException {
        Path dir;
        try {
            dir = ArchiveStreams.privateTempDir(storeTmp, "load");
        } catch (IOException e) {
            throw new JrunException("load " + source + ": cannot create a temporary directory in " + storeTmp + ": "
                    + e.getMessage() + "; check free space and permissions of the image store", e);
        }
        SpooledTar spooled = new SpooledTar(dir, source);
        try {
            spooled.read(in, limits);
            return spooled;
        } catch (JrunException | RuntimeException e) {
            spooled.close();
            throw e;
        }
    }

    private void read(InputStream in, ArchiveLimits limits) throws JrunException {
        long entries = 0;
        String previous = null;
        try {
            TarReader tar = TarInput.open(in, limits.maxTotalBytes()).reader();
            TarHeader entry;
            while ((entry = tar.next()) != null) {
                if (entry.type() == TarHeader.PAX_GLOBAL) {
                    continue; // ignored, as docker load ignores it
                }
                if (++entries > limits.maxEntries()) {
                    throw new JrunException(source + " has more than " + limits.maxEntries()
                            + " entries: refusing it as an archive bomb; nothing was loaded");
                }
                previous = ArchivePaths.shorten(entry.displayName());
                add(entry, tar.data(), entries);
            }
        } catch (TarInput.UnsupportedCompression e) {
            throw new JrunException(source + " is " + e.compressionName() + "-compressed; jrun reads plain or"
                    + " gzip-compressed archives: decompress it first (e.g. " + e.decompressor() + ") and try again");
        } catch (TarInput.TooLarge e) {
            throw new JrunException(source + " is larger than " + limits.maxTotalBytes() + " bytes uncompressed:"
                    + " refusing it as a decompression bomb; nothing was loaded");
        } catch (TarFormatException e) {
            String after = previous == null ? "" : ", after entry \"" + previous + "\"";
            throw new JrunException("load " + source + ": "
                    + (e.kind() == TarFormatException.Kind.TRUNCATED ? "it ends early: " + e.getMessage() + after
                    + "; the file is incomplete, give the whole archive"
                    : e.kind() == TarFormatException.Kind.METADATA_TOO_LARGE ? e.getMessage() + after
                    + ": refusing it as an archive bomb; nothing was loaded"
                    : "it is not a readable tar archive: " + e.getMessage() + after
                    + "; give a file written by docker save, podman save or jrun save"), e);
        } catch (IOException e) {
            throw new JrunException("load " + source + ": reading it failed ("
                    + (previous == null ? "at its start" : "after entry \"" + previous + "\"") + ": " + e.getMessage()
                    + "); give a file written by docker save, podman save or jrun save", e);
        }
        if (entries == 0) {
            throw new JrunException("load " + source + ": it is empty or not a tar archive; give a file written by"
                    + " docker save, podman save or jrun save");
        }
    }

    private void add(TarHeader entry, InputStream data, long index) throws JrunException, IOException {
        String raw = entry.displayName();
        String what = source + ": entry \"" + ArchivePaths.shorten(raw) + "\"";
        if (entry.isDirectory()) {
            String clean = raw.equals(".") || raw.equals("./") || raw.equals("/") ? "" : ArchivePaths.clean(raw, what);
            directories.add(clean);
            return;
        }
        String name = ArchivePaths.clean(raw, what);
        if (name.isEmpty()) {
            throw new JrunException(what + ": a file without a name; the archive is malformed and was not loaded");
        }
        if (files.containsKey(name) || symlinks.containsKey(name) || hardlinks.containsKey(name)) {
            throw new JrunException(what + " appears twice; an image archive names each file once, so this one is"
                    + " ambiguous (broken or hostile) and was not loaded");
        }
        if (entry.type() == TarHeader.SYMLINK) {
            symlinks.put(name, entry.displayLinkName());
        } else if (entry.type() == TarHeader.HARD_LINK) {
            hardlinks.put(name, ArchivePaths.clean(entry.displayLinkName(), what + " (hard link target)"));
        } else if ((entry.type() == TarHeader.REGULAR || entry.type() == TarHeader.CONTIGUOUS) && entry.sparse() == null) {
            files.put(name, spoolFile(name, data, index));
        } else {
            throw new JrunException(what + " is a " + kind(entry) + "; an image archive holds only files,"
                    + " directories and links, so it is broken or hostile and was not loaded");
        }
    }

    private ArchiveFile spoolFile(String name, InputStream data, long index) throws IOException {
        Path target = dir.resolve(Long.toString(index));
        MessageDigest md = Digest.Algorithm.SHA256.newHasher();
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = data.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        }
        return new ArchiveFile(name, target, size, Digest.of(Digest.Algorithm.SHA256, md.digest()));
    }

    private static String kind(TarHeader entry) {
        if (entry.sparse() != null) return "sparse file";
        return switch (entry.type()) {
            case TarHeader.CHAR_DEVICE -> "character device";
            case TarHeader.BLOCK_DEVICE -> "block device";
            case TarHeader.FIFO -> "fifo";
            default -> "tar entry of type '" + (char) entry.type() + "'";
        };
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public ArchiveFile file(String name, String what) throws JrunException {
        String current = ArchivePaths.clean(name, what);
        for (int hops = 0; hops <= MAX_LINK_HOPS; hops++) {
            ArchiveFile file = files.get(current);
            if (file != null) {
                return file;
            }
            String hard = hardlinks.get(current);
            if (hard != null) {
                current = hard;
                continue;
            }
            String target = symlinks.get(current);
            if (target != null) {
                current = ArchivePaths.resolveLink(current, target, what);
                continue;
            }
            throw new JrunException(what + ": " + source + " has no file \"" + ArchivePaths.shorten(name)
                    + "\"; the archive is incomplete or not an image archive, and was not loaded");
        }
        throw new JrunException(what + ": \"" + ArchivePaths.shorten(name) + "\" in " + source + " goes through more"
                + " than " + MAX_LINK_HOPS + " links (a loop?); the archive is broken and was not loaded");
    }

    @Override
    public void close() {
        ArchiveStreams.removeTree(dir);
    }
}
