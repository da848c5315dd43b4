package dev.jrun.store;

import dev.jrun.oci.Digest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A directory keyed by digest, as {@code blobs/} and {@code layers/} are: {@code <alg>/<hex>}. */
final class DigestDirectory {
    private final Path dir;

    DigestDirectory(Path dir) {
        this.dir = dir;
    }

    Path entry(Digest digest) {
        return dir.resolve(digest.algorithm().prefix()).resolve(digest.hex());
    }

    /** Every entry whose name is a digest, wrapped as {@code T}; other names are left alone. */
    <T> List<T> list(Function<Digest, T> wrap) throws IOException {
        List<T> out = new ArrayList<>();
        for (Digest.Algorithm alg : Digest.Algorithm.values()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve(alg.prefix()))) {
                for (Path p : entries) {
                    try {
                        out.add(wrap.apply(Digest.of(alg, p.getFileName().toString())));
                    } catch (IllegalArgumentException e) {
                        // not ours; leave it
                    }
                }
            }
        }
        return out;
    }
}
