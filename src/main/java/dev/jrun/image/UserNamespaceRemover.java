package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.runtime.UserNamespaceTasks;
import dev.jrun.store.JavaRemover;
import dev.jrun.store.Remover;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Deletes store trees. Most are the caller's own and go with plain Java; a tree holding files of
 * subordinate IDs (a container's upper layer, a layer of an image with other owners) is
 * removed by rm(1) running as root of the caller's user namespace.
 */
public final class UserNamespaceRemover implements Remover {
    private final UserNamespaceTasks tasks;
    private final Remover plain = new JavaRemover();

    public UserNamespaceRemover(UserNamespaceTasks tasks) {
        this.tasks = tasks;
    }

    @Override
    public void removeTree(Path path) throws IOException {
        try {
            plain.removeTree(path);
            return;
        } catch (IOException ownedBySomeoneElse) {
            // fall through: files of subordinate IDs need the user namespace
        }
        try {
            tasks.removeTree(path);
        } catch (JrunException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
