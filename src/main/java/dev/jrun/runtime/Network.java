package dev.jrun.runtime;

/** {@code --network}: the host's network namespace, or a new one with only loopback. */
public enum Network {
    HOST, NONE
}
