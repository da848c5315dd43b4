package dev.jrun.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;

/** Builds tar layers in memory for tests, hostile ones included. */
public final class TarBuilder {
    public static final long MTIME_MILLIS = 1_600_000_000_000L; // 2020-09-13

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public TarBuilder() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public TarBuilder dir(String name, int mode) {
        return entry(name, TarConstants.LF_DIR, mode, null, null, e -> { });
    }

    public TarBuilder file(String name, String content) {
        return file(name, content, 0644);
    }

    public TarBuilder file(String name, String content, int mode) {
        return entry(name, TarConstants.LF_NORMAL, mode, null, content.getBytes(StandardCharsets.UTF_8), e -> { });
    }

    public TarBuilder file(String name, byte[] content, int mode, Consumer<TarArchiveEntry> tweak) {
        return entry(name, TarConstants.LF_NORMAL, mode, null, content, tweak);
    }

    public TarBuilder owned(String name, String content, int mode, int uid, int gid) {
        return entry(name, TarConstants.LF_NORMAL, mode, null, content.getBytes(StandardCharsets.UTF_8), e -> {
            e.setUserId(uid);
            e.setGroupId(gid);
        });
    }

    public TarBuilder symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, 0777, target, null, e -> { });
    }

    public TarBuilder hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, 0644, target, null, e -> { });
    }

    public TarBuilder special(String name, byte type) {
        return entry(name, type, 0644, null, null, e -> { });
    }

    public TarBuilder entry(String name, byte type, int mode, String linkTarget, byte[] content,
                            Consumer<TarArchiveEntry> tweak) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode);
            e.setModTime(MTIME_MILLIS);
            if (linkTarget != null) {
                e.setLinkName(linkTarget);
            }
            if (content != null) {
                e.setSize(content.length);
            }
            tweak.accept(e);
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TarBuilder withXattrs(String name, String content, Map<String, String> xattrs) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, e -> xattrs.forEach(
                (k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v)));
    }

    public byte[] build() {
        try {
            tar.finish();
            tar.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A raw 512-byte ustar header for hostile cases TarArchiveOutputStream refuses to write. */
    public static byte[] rawHeader(String name, byte type, long declaredSize) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setSize(declaredSize);
        e.setModTime(MTIME_MILLIS);
        byte[] block = new byte[512];
        try {
            e.writeEntryHeader(block, org.apache.commons.compress.archivers.zip.ZipEncodingHelper.getZipEncoding("UTF-8"),
                    true);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return block;
    }
}
