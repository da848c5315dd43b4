package dev.jrun.image.layer;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Unpacks one layer file into a directory; run as an unprivileged user by OverlayWhiteoutFormatTest. */
public final class UnpackMain {
    public static void main(String[] args) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            UnpackResult r = new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker())
                    .unpack(in, Path.of(args[1]), null, null);
            System.out.println("unpacked " + r.entries() + " entries, diffID " + r.diffId());
        }
    }
}
