package dev.jrun.image.layer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Creates an overlayfs whiteout (character device 0/0) at a path whose parent the unpacker has
 * already checked is a real directory inside the layer. Java has no mknod; the runtime can plug
 * in its {@code Syscalls}-based mknodat, {@link MknodCommandWhiteoutMaker} runs mknod(1).
 */
@FunctionalInterface
public interface WhiteoutMaker {
    void makeWhiteout(Path path) throws IOException;
}
