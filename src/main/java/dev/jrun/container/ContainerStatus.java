package dev.jrun.container;

import dev.jrun.store.ContainerArea;
import dev.jrun.store.ContainerExit;
import dev.jrun.store.ContainerState;
import java.time.Instant;
import java.util.Optional;

/**
 * A container as it is now, reconciled with the kernel: its recorded state says which process
 * to look at, and that process (PID and start time) says whether it still runs. A monitor
 * killed with -9 leaves no exit status: such a container shows as exited with status unknown.
 *
 * @param exitCode null while running, or when no one recorded it
 */
public record ContainerStatus(ContainerArea area, Kind kind, Optional<ContainerState> state,
                              Optional<ContainerExit> exit, Integer exitCode) {

    public enum Kind {
        CREATED("created"), RUNNING("running"), EXITED("exited");

        public final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    static ContainerStatus of(ContainerArea area, Optional<ContainerState> state, Optional<ContainerExit> exit) {
        if (state.isEmpty()) return new ContainerStatus(area, Kind.CREATED, state, exit, null);
        if (exit.isPresent()) return new ContainerStatus(area, Kind.EXITED, state, exit, exit.get().exitCode());
        if (state.get().isRunning()) return new ContainerStatus(area, Kind.RUNNING, state, exit, null);
        return new ContainerStatus(area, Kind.EXITED, state, exit, null);
    }

    public boolean running() {
        return kind == Kind.RUNNING;
    }

    public String id() {
        return area.record().id();
    }

    public String name() {
        return area.record().name();
    }

    public Optional<Instant> startedAt() {
        return state.map(s -> Instant.parse(s.startedAt()));
    }

    /** "3 seconds ago", as podman's ps shows when a container was created. */
    public static String ago(Instant then, Instant now) {
        return Durations.human(java.time.Duration.between(then, now)) + " ago";
    }

    /** As podman's ps: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
    public String describe(Instant now) {
        return switch (kind) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + Durations.human(java.time.Duration.between(startedAt().orElse(now), now));
            case EXITED -> "Exited (" + (exitCode == null ? "unknown" : exitCode) + ")"
                    + exit.map(e -> " " + Durations.human(java.time.Duration.between(e.finished(), now)) + " ago")
                    .orElse("");
        };
    }
}
