package dev.jrun.store;

import dev.jrun.oci.BlobDigest;
import dev.jrun.oci.DiffId;

import dev.jrun.image.layer.LayerImporter;
import dev.jrun.image.layer.LayerUnpacker;
import dev.jrun.image.layer.MknodCommandWhiteoutMaker;
import dev.jrun.image.layer.OwnershipApplier;
import dev.jrun.image.layer.UnpackLimits;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run in a separate JVM by the store tests: another jrun process working on the same store. */
@SuppressWarnings("try")
public final class StoreWorker {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[1]);
        Store store = Store.open(root, new JavaRemover());
        switch (args[0]) {
            case "blob+layer": {
                Path file = Path.of(args[2]);
                try (Store.Lease lease = store.lease()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        store.putBlob(BlobDigest.parse(args[3]), Files.size(file), in);
                    }
                    try (InputStream in = Files.newInputStream(file)) {
                        new LayerImporter(store, new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()),
                                OwnershipApplier.NONE).importLayer(in, DiffId.parse(args[4]), null);
                    }
                }
                System.out.println("stored");
                break;
            }
            case "slow-blob": {
                // Writes forever (until killed) into a blob writer: the kill -9 test.
                try (BlobWriter w = store.newBlobWriter(BlobDigest.parse(args[2]), -1)) {
                    System.out.println("writing");
                    System.out.flush();
                    OutputStream out = w;
                    byte[] chunk = new byte[4096];
                    while (true) {
                        out.write(chunk);
                        Thread.sleep(10);
                    }
                }
            }
            case "slow-layer": {
                // Unpacks a layer from a throttled stream until killed.
                InputStream slow = new java.io.FilterInputStream(Files.newInputStream(Path.of(args[2]))) {
                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return super.read(b, off, Math.min(len, 1024));
                    }
                };
                System.out.println("writing");
                System.out.flush();
                new LayerImporter(store, new LayerUnpacker(UnpackLimits.defaults(), new MknodCommandWhiteoutMaker()),
                        OwnershipApplier.NONE).importLayer(slow, DiffId.parse(args[3]), null);
                System.out.println("finished too early");
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
