package dev.jrun.api;

/** One layer's download so far: {@code bytes} of {@code size} (the manifest's, compressed). */
public record LayerProgress(String digest, long bytes, long size) {
    public boolean complete() {
        return bytes == size;
    }
}
