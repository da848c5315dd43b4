package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.image.layer.OwnershipApplier;
import dev.jrun.image.layer.OwnershipEntry;
import dev.jrun.image.layer.OwnershipPlan;
import dev.jrun.runtime.UserNamespaceTasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies an image's file owners as the caller's user namespace sees them: GID 42 in the image
 * is GID 42 in the container and 100041 on the host for a range starting at 100000.
 */
public final class UserNamespaceOwnership implements OwnershipApplier {
    private final UserNamespaceTasks tasks;

    public UserNamespaceOwnership(UserNamespaceTasks tasks) {
        this.tasks = tasks;
    }

    @Override
    public void apply(Path diffDir, OwnershipPlan plan) throws JrunException {
        List<UserNamespaceTasks.Chown> chowns = new ArrayList<>(plan.entries().size());
        for (OwnershipEntry e : plan.entries()) {
            chowns.add(new UserNamespaceTasks.Chown(e.parent(), e.name(), Integer.toUnsignedLong(e.uid()),
                    Integer.toUnsignedLong(e.gid()), e.restoreMode(), e.symlink()));
        }
        tasks.chown(diffDir, chowns, "this image");
    }
}
