package dev.jrun.store;

import dev.jrun.oci.DiffId;
import java.util.List;

/**
 * Written to {@code containers/<id>/container.json} when a container is created: what it is
 * (name, image, command), which layers its overlay uses (so {@code rmi} and {@code image prune}
 * keep them while it exists), and what running it again or entering it needs ({@code config}).
 *
 * @param id        the container ID (64 hex digits, or a name-like ID from older records)
 * @param name      its unique name
 * @param imageId   the image's ID (config digest hex), or null for a root directory (--rootfs)
 * @param image     the image as the user named it, or the root directory
 * @param layers    the layers its root is made of, bottom first
 * @param command   the command line it runs (entrypoint and arguments)
 * @param created   ISO-8601
 * @param autoRemove {@code --rm}: removed as soon as it ends
 * @param ownerPid  the jrun process that created it; a container that never started and whose
 *                  creator is gone is debris
 * @param ownerStarted that process's start time (ISO-8601), to tell a reused PID; null if unknown
 * @param config    how to run it (a {@code dev.jrun.container} spec as JSON), opaque to the store
 * @param runArguments the options and arguments `jrun run` was given, for `jrun start`
 */
public record ContainerRecord(String id, String name, String imageId, String image, List<DiffId> layers,
                              List<String> command, String created, boolean autoRemove, long ownerPid,
                              String ownerStarted, com.fasterxml.jackson.databind.JsonNode config,
                              List<String> runArguments) {
    public ContainerRecord {
        layers = layers == null ? List.of() : List.copyOf(layers);
        command = command == null ? List.of() : List.copyOf(command);
        runArguments = runArguments == null ? List.of() : List.copyOf(runArguments);
    }

    public ContainerRecord withConfig(List<String> command, com.fasterxml.jackson.databind.JsonNode config) {
        return new ContainerRecord(id, name, imageId, image, layers, command, created, autoRemove, ownerPid,
                ownerStarted, config, runArguments);
    }

    /** A record owned by this process until the container starts. */
    public static ContainerRecord ofThisProcess(String id, String name, String imageId, String image, List<DiffId> layers,
                                                List<String> command, String created, boolean autoRemove,
                                                List<String> runArguments) {
        ProcessHandle self = ProcessHandle.current();
        return new ContainerRecord(id, name, imageId, image, layers, command, created, autoRemove, self.pid(),
                self.info().startInstant().map(Object::toString).orElse(null), null, runArguments);
    }

    /** True when the jrun that created the container is gone (killed before it could start it). */
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
