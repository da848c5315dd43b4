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
 */
public record ContainerRecord(String id, String imageId, List<DiffId> layers, String created) {
    public ContainerRecord {
        layers = layers == null ? List.of() : List.copyOf(layers);
    }
}
