package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.image.tar.TarInput;
import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;
import dev.jrun.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** One pass over a rootfs tarball: its diffID (uncompressed) and a gzip blob with its digest. */
final class RootfsCompressor {
    private RootfsCompressor() {
    }

    record Result(DiffId diffId, BlobDigest digest, long size) {
    }

    static Result compress(InputStream tarball, Path blob, ArchiveLimits limits, String source) throws JrunException {
        MessageDigest diff = Digest.Algorithm.SHA256.newHasher();
        MessageDigest compressed = Digest.Algorithm.SHA256.newHasher();
        long uncompressed = 0;
        try (OutputStream file = Files.newOutputStream(blob, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             DigestOutputStream hashed = new DigestOutputStream(file, compressed);
             GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(hashed)) {
            InputStream plain = TarInput.limited(ArchiveStreams.decompressed(tarball, source),
                    limits.maxTotalBytes());
            byte[] buf = new byte[1 << 16];
            for (int n; (n = plain.read(buf)) > 0; ) {
                diff.update(buf, 0, n);
                gzip.write(buf, 0, n);
                uncompressed += n;
            }
        } catch (TarInput.TooLarge e) {
            throw new JrunException("import " + source + ": it is larger than " + limits.maxTotalBytes()
                    + " bytes uncompressed: refusing it as a decompression bomb; nothing was imported");
        } catch (java.io.EOFException e) {
            // A gzip stream cut short; the JDK's exception has no message.
            throw new JrunException("import " + source + ": it ends early (the compressed data is cut short): give the"
                    + " whole file; nothing was imported", e);
        } catch (IOException e) {
            throw new JrunException("import " + source + ": reading it failed: " + e.getMessage()
                    + "; nothing was imported", e);
        }
        if (uncompressed == 0) {
            throw new JrunException("import " + source + ": it is empty; give a tar archive of a root filesystem"
                    + " (e.g. tar -C ROOTFS -cf rootfs.tar .)");
        }
        try {
            return new Result(new DiffId(Digest.of(Digest.Algorithm.SHA256, diff.digest())),
                    new BlobDigest(Digest.of(Digest.Algorithm.SHA256, compressed.digest())), Files.size(blob));
        } catch (IOException e) {
            throw new JrunException("import " + source + ": " + e.getMessage(), e);
        }
    }
}
