package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses podman's mount options: {@code -v SRC:DST[:OPTS]}, {@code --mount type=...,...} and
 * {@code --tmpfs DST[:OPTS]}. Only the syntax: whether a host path exists is the planner's job.
 */
public final class MountParser {
    /** tmpfs(5) options jrun passes on, each with the only values it lets through. */
    private static final Pattern SIZE = Pattern.compile("[0-9]{1,19}[kKmMgG%]?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");
    private static final Pattern MODE = Pattern.compile("[0-7]{1,4}");

    private MountParser() {}

    /** The named volumes among -v and --mount values (what a recorded container uses); bad values are skipped. */
    public static List<String> volumeNames(List<String> volumes, List<String> mounts) {
        List<String> names = new ArrayList<>();
        List<MountRequest> requests = new ArrayList<>();
        for (String v : volumes) {
            try {
                requests.add(volume(v));
            } catch (JrunException notAVolume) {
                // such a run never started
            }
        }
        for (String m : mounts) {
            try {
                requests.add(mount(m));
            } catch (JrunException notAVolume) {
                // such a run never started
            }
        }
        for (MountRequest r : requests) {
            if (r instanceof MountRequest.Named n && !names.contains(n.name())) names.add(n.name());
        }
        return names;
    }

    static MountRequest volume(String spec) throws JrunException {
        String[] parts = spec.split(":", -1);
        if (parts.length == 1 && spec.startsWith("/")) {
            throw new JrunException("--volume " + spec + ": anonymous volumes are not supported; name the volume "
                    + "(-v NAME:" + spec + ") or give a host path (-v /host/dir:" + spec + ")");
        }
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new JrunException("--volume " + spec + ": expected HOST-PATH:CONTAINER-PATH[:OPTIONS] or "
                    + "VOLUME-NAME:CONTAINER-PATH[:OPTIONS]");
        }
        String target = target(parts[1], "--volume " + spec);
        boolean readOnly = false;
        boolean chown = false;
        boolean copyUp = true;
        if (parts.length == 3) {
            for (String option : parts[2].split(",", -1)) {
                switch (option) {
                    case "ro" -> readOnly = true;
                    case "rw" -> readOnly = false;
                    // SELinux relabelling: accepted as podman does on a host without SELinux.
                    case "z", "Z" -> { }
                    case "U" -> chown = true;
                    case "copy" -> copyUp = true;
                    case "nocopy" -> copyUp = false;
                    default -> throw new JrunException("--volume " + spec + ": unknown option '" + option
                            + "'; jrun knows ro, rw, z, Z, U, copy and nocopy");
                }
            }
        }
        if (isPath(parts[0])) return new MountRequest.Bind(parts[0], target, readOnly, chown);
        // The name is checked by the store, where it becomes a directory (store.Volumes).
        return new MountRequest.Named(parts[0], target, readOnly, chown, copyUp);
    }

    /** podman's --mount: comma-separated KEY[=VALUE]; the type defaults to volume, as in Docker. */
    static MountRequest mount(String spec) throws JrunException {
        String context = "--mount " + spec;
        String type = "volume";
        String source = null;
        String target = null;
        boolean readOnly = false;
        boolean chown = false;
        boolean copyUp = true;
        List<String> tmpfsOptions = new ArrayList<>();
        for (String field : spec.split(",", -1)) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = required(value, key, context);
                case "source", "src" -> source = required(value, key, context);
                case "target", "destination", "dst", "dest" -> target = required(value, key, context);
                case "ro", "readonly" -> readOnly = flag(value, key, context);
                case "rw" -> readOnly = !flag(value, key, context);
                case "U", "chown" -> chown = flag(value, key, context);
                case "z", "Z" -> { }
                case "relabel" -> {
                    if (!"shared".equals(value) && !"private".equals(value)) {
                        throw new JrunException(context + ": relabel=" + value + ": expected shared or private");
                    }
                }
                case "nocopy", "volume-nocopy" -> copyUp = !flag(value, key, context);
                // Every mount of a jrun container is private (mount_namespaces(7)): propagation to
                // or from the host is never set up, so only the private kinds can be honoured.
                case "bind-propagation" -> {
                    if (!List.of("private", "rprivate").contains(value)) {
                        throw new JrunException(context + ": bind-propagation=" + value + ": jrun's mounts are "
                                + "always private; give private or rprivate, or leave it out");
                    }
                }
                case "tmpfs-size" -> tmpfsOptions.add("size=" + required(value, key, context));
                case "tmpfs-mode" -> tmpfsOptions.add("mode=" + required(value, key, context));
                default -> throw new JrunException(context + ": unknown field '" + key + "'; jrun knows type, "
                        + "source, target, ro, rw, U, z, Z, relabel, nocopy, bind-propagation, tmpfs-size and "
                        + "tmpfs-mode");
            }
        }
        if (target == null) throw new JrunException(context + ": give the container path: target=/PATH");
        target = target(target, context);
        switch (type) {
            case "bind" -> {
                if (source == null) throw new JrunException(context + ": a bind mount needs source=/HOST/PATH");
                if (!source.startsWith("/")) {
                    throw new JrunException(context + ": source=" + source + ": a bind mount's source must be an "
                            + "absolute host path");
                }
                return new MountRequest.Bind(source, target, readOnly, chown);
            }
            case "volume" -> {
                if (source == null) {
                    throw new JrunException(context + ": anonymous volumes are not supported; name the volume "
                            + "with source=NAME");
                }
                return new MountRequest.Named(source, target, readOnly, chown, copyUp);
            }
            case "tmpfs" -> {
                if (source != null) throw new JrunException(context + ": a tmpfs has no source; leave source out");
                if (readOnly) tmpfsOptions.add("ro");
                return tmpfs(target, tmpfsOptions, context);
            }
            default -> throw new JrunException(context + ": type=" + type + ": jrun knows bind, volume and tmpfs");
        }
    }

    /** podman's --tmpfs DST[:OPTIONS]. */
    static MountRequest tmpfs(String spec) throws JrunException {
        int colon = spec.indexOf(':');
        String path = colon < 0 ? spec : spec.substring(0, colon);
        List<String> options = colon < 0 ? List.of() : List.of(spec.substring(colon + 1).split(",", -1));
        return tmpfs(target(path, "--tmpfs " + spec), options, "--tmpfs " + spec);
    }

    /**
     * podman's observed defaults are rw,nosuid,nodev. Each option is checked against a whitelist
     * so that nothing but tmpfs(5)'s own options reaches mount(2)'s data string.
     */
    private static MountRequest.Tmpfs tmpfs(String target, List<String> options, String context)
            throws JrunException {
        long flags = MS_NOSUID | MS_NODEV;
        List<String> data = new ArrayList<>();
        for (String option : options) {
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? "" : option.substring(eq + 1);
            switch (key) {
                case "ro" -> flags |= MS_RDONLY;
                case "rw" -> flags &= ~MS_RDONLY;
                case "noexec" -> flags |= MS_NOEXEC;
                case "exec" -> flags &= ~MS_NOEXEC;
                case "nosuid" -> flags |= MS_NOSUID;
                case "suid" -> flags &= ~MS_NOSUID;
                case "nodev" -> flags |= MS_NODEV;
                case "dev" -> flags &= ~MS_NODEV;
                case "notmpcopyup" -> { }
                case "size", "nr_inodes", "nr_blocks" -> data.add(key + "=" + value(value, SIZE, option, context));
                case "mode" -> data.add(key + "=" + value(value, MODE, option, context));
                case "uid", "gid" -> data.add(key + "=" + value(value, NUMBER, option, context));
                default -> throw new JrunException(context + ": unknown tmpfs option '" + option + "'; jrun knows "
                        + "ro, rw, exec, noexec, suid, nosuid, dev, nodev, size=, nr_inodes=, nr_blocks=, mode=, "
                        + "uid=, gid= and notmpcopyup (the tmpfs starts empty)");
            }
        }
        return new MountRequest.Tmpfs(target, flags, String.join(",", data));
    }

    private static String value(String value, Pattern allowed, String option, String context) throws JrunException {
        if (!allowed.matcher(value).matches()) {
            throw new JrunException(context + ": tmpfs option '" + option + "' has a value jrun does not accept; "
                    + "sizes are digits with k, m, g or %, modes octal, uid and gid numbers");
        }
        return value;
    }

    /** The container path: absolute and not "/" (mounting over the root would replace the container). */
    static String target(String path, String context) throws JrunException {
        if (!path.startsWith("/")) {
            throw new JrunException(context + ": the container path " + path + " must be absolute");
        }
        String normal = Path.of(path).normalize().toString();
        if (normal.equals("/")) throw new JrunException(context + ": the container path must not be /");
        return normal;
    }

    /** podman: a source starting with '/' or '.' is a host path, anything else names a volume. */
    private static boolean isPath(String source) {
        return source.startsWith("/") || source.startsWith(".");
    }

    private static String required(String value, String key, String context) throws JrunException {
        if (value == null || value.isEmpty()) throw new JrunException(context + ": " + key + " needs a value");
        return value;
    }

    private static boolean flag(String value, String key, String context) throws JrunException {
        if (value == null || value.equals("true")) return true;
        if (value.equals("false")) return false;
        throw new JrunException(context + ": " + key + "=" + value + ": expected true or false");
    }
}
