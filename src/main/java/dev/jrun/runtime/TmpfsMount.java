package dev.jrun.runtime;

/**
 * A tmpfs in the container: one of --read-only's scratch directories, or the user's --tmpfs.
 *
 * @param mountFlags mount(2) flags (MS_NOSUID, MS_RDONLY, ...)
 * @param data tmpfs(5) options, already checked
 * @param createMountPoint the directory is missing and is created in the container first
 */
public record TmpfsMount(String path, long mountFlags, String data, boolean createMountPoint) {}
