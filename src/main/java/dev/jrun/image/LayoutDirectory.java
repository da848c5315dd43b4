package dev.jrun.image;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * An OCI image layout directory ({@code jrun load -i DIR}), read in place. Every path
 * component is checked to be no symbolic link: the directory is hostile input, and a link
 * ({@code blobs/sha256/X -> ~/.ssh/id_rsa}) must not make jrun read another file of the
 * caller's into the store. (Blob digests would expose a substitution anyway; this refuses it
 * before anything is read.)
 */
final class LayoutDirectory implements ArchiveFiles {
    private final Path root;

    LayoutDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String source() {
        return "OCI layout directory " + root;
    }

    @Override
    public ArchiveFile file(String name, String what) throws JrunException {
        String clean = ArchivePaths.clean(name, what);
        Path p = root;
        for (String part : clean.split("/")) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                throw new JrunException(what + ": " + p + " is a symbolic link; jrun reads an OCI layout directory"
                        + " only through real files and directories. Copy it without links (cp -rL) if you trust it");
            }
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new JrunException(what + ": " + source() + " has no file " + clean
                    + "; it is incomplete or not an OCI image layout");
        }
        try {
            return new ArchiveFile(clean, p, Files.size(p), null);
        } catch (IOException e) {
            throw new JrunException(what + ": cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
    }
}
