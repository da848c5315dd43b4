package dev.jrun.registry;

import java.util.Objects;

/**
 * A repository on a registry: {@code registry} is host[:port] as users write it (docker.io, not
 * registry-1.docker.io), {@code name} the repository path, {@code insecure} whether plain HTTP
 * and unverified TLS are allowed for it (registries.conf {@code insecure = true}).
 */
public record RemoteRepository(String registry, String name, boolean insecure) {
    public RemoteRepository {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(name, "name");
    }

    public RemoteRepository(String registry, String name) {
        this(registry, name, false);
    }

    @Override
    public String toString() {
        return registry + "/" + name;
    }
}
