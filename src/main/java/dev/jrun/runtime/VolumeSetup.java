package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a plan's volumes need before the container starts, done inside the caller's user
 * namespace: a named volume's first use (podman's copy-up, or its owner set to the container's
 * user) and {@code :U} (the tree given to the container's user).
 */
public final class VolumeSetup {
    private final Launcher launcher;
    private final NamedVolumes named;

    public VolumeSetup(Launcher launcher, NamedVolumes named) {
        this.launcher = launcher;
        this.named = named;
    }

    public void prepare(LaunchPlan plan) throws JrunException {
        // The container's own map (also --userns-remap's): owners must mean what they will mean inside.
        UserNamespaceTasks tasks = new UserNamespaceTasks(launcher, plan.userNamespace());
        ProcessIdentity user = plan.identity();
        RootfsView view = new RootfsView(plan.rootfs());
        for (Volume v : plan.volumes()) {
            String what = v.volumeName().map(n -> "volume " + n).orElse("host path " + v.hostPath());
            if (v.copyUp() && isEmpty(v.hostPath())) {
                // Only into an empty volume: files put there from outside are never overwritten
                // by the image's (podman's fix for CVE-2020-1726).
                if (view.kind(v.containerPath()) == RootfsView.Kind.DIRECTORY) {
                    tasks.copyUp(plan.rootfs(), v.containerPath(), v.hostPath(), what);
                } else if (user.uid() != 0 || user.gid() != 0) {
                    // No directory in the image to take the owner from: as podman, the volume
                    // belongs to the container's user, who can then write it.
                    tasks.chownTree(v.hostPath(), user.uid(), user.gid(), false, what);
                }
            }
            if (v.chown()) tasks.chownTree(v.hostPath(), user.uid(), user.gid(), true, what);
            if (v.volumeName().isPresent()) named.used(v.volumeName().get());
        }
    }

    private static boolean isEmpty(Path dir) throws JrunException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new JrunException("read volume directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
