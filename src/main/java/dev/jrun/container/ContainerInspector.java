package dev.jrun.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import dev.jrun.store.ContainerRecord;
import java.util.List;

/** `jrun inspect`: a container as JSON, in podman's field names where podman has them. */
public final class ContainerInspector {
    private final Containers containers;

    public ContainerInspector(Containers containers) {
        this.containers = containers;
    }

    public String inspect(List<ContainerStatus> list) throws JrunException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ContainerStatus c : list) {
            ContainerRecord r = c.area().record();
            ObjectNode o = out.addObject();
            o.put("Id", r.id());
            o.put("Name", r.name());
            o.put("Created", r.created());
            o.put("Path", r.command().isEmpty() ? null : r.command().get(0));
            ArrayNode args = o.putArray("Args");
            r.command().stream().skip(1).forEach(args::add);
            o.put("Image", r.imageId());
            o.put("ImageName", r.image());
            ObjectNode state = o.putObject("State");
            state.put("Status", c.kind().word);
            state.put("Running", c.running());
            state.put("Pid", c.running() ? c.state().get().pid() : 0);
            state.put("ConmonPid", c.state().map(s -> s.monitorPid()).orElse(0));
            if (c.exitCode() != null) state.put("ExitCode", c.exitCode());
            else state.putNull("ExitCode");
            state.put("StartedAt", c.state().map(s -> s.startedAt()).orElse(null));
            state.put("FinishedAt", c.exit().map(e -> e.finished().toString()).orElse(null));
            o.put("LogPath", c.area().dir().resolve("ctr.log").toString());
            o.put("AutoRemove", r.autoRemove());
            if (r.config() != null) {
                ProcessDefaults d = containers.defaults(c);
                ObjectNode config = o.putObject("Config");
                ArrayNode env = config.putArray("Env");
                d.env().forEach(env::add);
                config.put("WorkingDir", d.workdir());
                config.put("User", d.uid() + ":" + d.gid());
                config.put("StopSignal", d.stopSignal());
                ArrayNode mounts = o.putArray("Mounts");
                for (ProcessDefaults.Mount m : d.mounts()) {
                    ObjectNode mount = mounts.addObject();
                    mount.put("Type", "bind");
                    mount.put("Source", m.source());
                    mount.put("Destination", m.destination());
                    mount.put("RW", !m.readOnly());
                }
                if (d.networkMode() != null) o.putObject("HostConfig").put("NetworkMode", d.networkMode());
                ArrayNode ports = o.putObject("NetworkSettings").putArray("Ports");
                d.ports().forEach(ports::add);
                ObjectNode maps = o.putObject("IDMappings");
                ArrayNode uid = maps.putArray("UidMap");
                d.uidMap().lines().forEach(uid::add);
                ArrayNode gid = maps.putArray("GidMap");
                d.gidMap().lines().forEach(gid::add);
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
