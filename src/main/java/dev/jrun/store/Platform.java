package dev.jrun.store;

/** os/architecture[/variant] as in an OCI image index, e.g. linux/arm64/v8. Variant may be null. */
public record Platform(String os, String architecture, String variant) {
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
