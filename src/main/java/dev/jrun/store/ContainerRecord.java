package dev.jrun.store;

import dev.jrun.oci.DiffId;

import java.util.List;

/**
 * Written to {@code containers/<id>/container.json}: which image and layers a container's
 * overlay uses, so {@code rmi} and {@code image prune} keep them while it exists.
 *
 * @param id      the container ID
 * @param imageId the image's ID (config digest hex)
 * @param layers  the layers its root is made of, bottom first
 * @param created ISO-8601
 * @param ownerPid the jrun process that runs the container and removes the area when it ends;
 *                 0 if unknown (records written before it was kept)
 * @param ownerStarted that process's start time (ISO-8601), to tell a reused PID; null if unknown
 */
public record ContainerRecord(String id, String imageId, List<DiffId> layers, String created, long ownerPid,
                              String ownerStarted) {
    public ContainerRecord {
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** A record of this process, which owns the container until it removes it. */
    static ContainerRecord ofThisProcess(String id, String imageId, List<DiffId> layers, String created) {
        ProcessHandle self = ProcessHandle.current();
        return new ContainerRecord(id, imageId, layers, created, self.pid(),
                self.info().startInstant().map(Object::toString).orElse(null));
    }

    /**
     * True when the jrun that owns the container is gone (killed with SIGKILL, a power loss): its
     * container died with it (PR_SET_PDEATHSIG) and nothing will ever remove the area.
     */
    boolean ownerIsDead() {
        if (ownerPid <= 0) return false; // unknown owner: keep it
        if (ownerPid == ProcessHandle.current().pid()) return false;
        java.util.Optional<ProcessHandle> owner = ProcessHandle.of(ownerPid);
        if (owner.isEmpty()) return true;
        // The PID may have been reused by another process since.
        java.util.Optional<String> started = owner.get().info().startInstant().map(Object::toString);
        return ownerStarted != null && started.isPresent() && !started.get().equals(ownerStarted);
    }
}
