package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import java.util.Optional;

/** Where the client finds credentials for a registry and repository ({@link AuthFile}, or none). */
@FunctionalInterface
public interface CredentialSource {
    CredentialSource NONE = (registry, repository) -> Optional.empty();

    /**
     * @param registry host[:port] as users write it (docker.io, not registry-1.docker.io)
     * @param repository repository path, for per-repository entries ("host/ns/name" keys); may be empty
     */
    Optional<Credentials> find(String registry, String repository) throws JrunException;
}
