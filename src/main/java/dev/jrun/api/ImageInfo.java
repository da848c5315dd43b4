package dev.jrun.api;

import java.util.List;

/**
 * An image in the store.
 *
 * @param id      its ID (the config digest's hex)
 * @param names   its names (registry/repository:tag), possibly none
 * @param created when its config says it was built, or null
 */
public record ImageInfo(String id, List<String> names, String created) {}
