package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns -v, --mount and --tmpfs into the plan's bind mounts and tmpfs mounts. */
final class MountPlanner {
    record Mounts(List<Volume> volumes, List<TmpfsMount> tmpfs) {}

    private final NamedVolumes named;

    MountPlanner(NamedVolumes named) {
        this.named = named;
    }

    Mounts plan(RunSpec spec) throws JrunException {
        List<MountRequest> requests = new ArrayList<>();
        for (String v : spec.volumes()) requests.add(MountParser.volume(v));
        for (String m : spec.mounts()) requests.add(MountParser.mount(m));
        for (String t : spec.tmpfs()) requests.add(MountParser.tmpfs(t));
        // Two mounts on one path: the second would hide the first. podman refuses it too.
        Map<String, MountRequest> byTarget = new HashMap<>();
        for (MountRequest r : requests) {
            MountRequest before = byTarget.putIfAbsent(r.target(), r);
            if (before != null) {
                throw new JrunException("two mounts on " + r.target() + " in the container: " + before + " and " + r
                        + "; give each container path once");
            }
        }
        List<Volume> volumes = new ArrayList<>();
        List<TmpfsMount> tmpfs = new ArrayList<>();
        for (MountRequest r : requests) {
            if (r instanceof MountRequest.Bind b) {
                volumes.add(bind(b));
            } else if (r instanceof MountRequest.Named n) {
                Path dir = named.directory(n.name());
                volumes.add(new Volume(dir, n.target(), n.readOnly(), true, n.chown(),
                        n.copyUp() && named.firstUse(n.name()), Optional.of(n.name())));
            } else if (r instanceof MountRequest.Tmpfs t) {
                tmpfs.add(new TmpfsMount(t.target(), t.mountFlags(), t.data(), true));
            }
        }
        return new Mounts(volumes, tmpfs);
    }

    private static Volume bind(MountRequest.Bind b) throws JrunException {
        String shown = b.source() + ":" + b.target();
        Path host = Path.of(b.source()).toAbsolutePath().normalize();
        if (!Files.exists(host)) {
            throw new JrunException("--volume " + shown + ": host path " + host + " does not exist; create it first "
                    + "(mkdir -p " + host + ")");
        }
        return new Volume(host, b.target(), b.readOnly(), Files.isDirectory(host), b.chown(), false, Optional.empty());
    }
}
