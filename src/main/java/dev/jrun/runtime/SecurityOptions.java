package dev.jrun.runtime;

import java.util.List;

/**
 * What the user asked for about privileges, as given: --cap-add, --cap-drop, --privileged and
 * the --security-opt values (seccomp=, no-new-privileges, mask=, unmask=, label=).
 */
public record SecurityOptions(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpts) {
    public static final SecurityOptions DEFAULT = new SecurityOptions(List.of(), List.of(), false, List.of());

    public SecurityOptions {
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        securityOpts = List.copyOf(securityOpts);
    }
}
