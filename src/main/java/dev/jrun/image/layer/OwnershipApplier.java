package dev.jrun.image.layer;

import dev.jrun.errors.JrunException;

import java.nio.file.Path;

/**
 * Applies an {@link OwnershipPlan} to a freshly unpacked layer directory, before the layer is
 * committed to the store. The runtime's implementation runs a plan-that-exits inside the
 * caller's user namespace (lchown to mapped IDs); it must refuse IDs outside the caller's
 * subordinate range with a message naming the ID and the range.
 */
@FunctionalInterface
public interface OwnershipApplier {

    void apply(Path diffDir, OwnershipPlan plan) throws JrunException;

    /** Leaves every file owned by the caller; for tests and for images with only 0:0 files. */
    OwnershipApplier NONE = (dir, plan) -> { };
}
