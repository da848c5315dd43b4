package dev.jrun.runtime;

import java.nio.file.Path;

/** A host path bind-mounted into the container ({@code -v HOST:CONTAINER[:ro]}). */
public record Volume(Path hostPath, String containerPath, boolean readOnly, boolean directory) {}
