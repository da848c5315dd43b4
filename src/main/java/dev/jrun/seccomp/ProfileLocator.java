package dev.jrun.seccomp;

import dev.jrun.config.ContainersConfFiles;
import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which seccomp profile a container gets when the user named none: containers.conf(5)'s
 * {@code seccomp_profile} (default {@code /usr/share/containers/seccomp.json}), read from the
 * files podman reads in its order (the last setting wins); when that file does not exist, the
 * copy of podman's default profile that jrun carries, as podman falls back to its built-in one.
 */
public final class ProfileLocator {
    public static final Path DEFAULT_PROFILE = Path.of("/usr/share/containers/seccomp.json");
    static final String BUILT_IN_RESOURCE = "/dev/jrun/seccomp/default.json";
    public static final String BUILT_IN_NAME = "jrun's built-in copy of podman's default profile";

    private final Map<String, String> env;

    public ProfileLocator(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** A profile's bytes and where they came from. */
    public record Located(byte[] json, String source) {
        public Located {
            json = json.clone();
        }

        @Override
        public byte[] json() {
            return json.clone();
        }
    }

    /** The configured profile path: containers.conf's seccomp_profile, else podman's default. */
    public Path configuredPath() throws JrunException {
        Optional<String> chosen = Optional.empty();
        for (Path file : ContainersConfFiles.inOrder(env)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new JrunException("read " + file + ": " + e.getMessage() + "; make it readable", e);
            }
            Optional<String> value = seccompProfileSetting(lines, file);
            if (value.isPresent()) chosen = value;
        }
        return chosen.map(Path::of).orElse(DEFAULT_PROFILE);
    }

    private static final Pattern SETTING = Pattern.compile(
            "^\\s*seccomp_profile\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)')\\s*(#.*)?$");

    /**
     * {@code seccomp_profile} of the {@code [containers]} table. Only this one key is read, so a
     * line scanner does it: a full TOML parser costs about a second of start-up on a cold JVM
     * (measured), for a file that is nearly all comments.
     */
    static Optional<String> seccompProfileSetting(List<String> lines, Path file) throws JrunException {
        String table = "";
        Optional<String> value = Optional.empty();
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.startsWith("[")) {   // a table header: [containers], [engine], ...
                int close = stripped.indexOf(']');
                table = close < 0 ? "" : stripped.substring(1, close).strip();
                continue;
            }
            if (!table.equals("containers") || !line.contains("seccomp_profile")) continue;
            if (line.stripLeading().startsWith("#")) continue;
            Matcher m = SETTING.matcher(line);
            if (!m.matches()) {
                throw new JrunException(file + ": cannot read the line '" + line.strip() + "'; write it as "
                        + "seccomp_profile = \"/path/to/profile.json\" (containers.conf(5))");
            }
            String v = m.group(1) != null ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : m.group(2);
            value = v.isEmpty() ? Optional.empty() : Optional.of(v);
        }
        return value;
    }

    /** The default profile: the configured file, or the built-in copy when there is no such file. */
    public Located defaultProfile() throws JrunException {
        Path path = configuredPath();
        try {
            return new Located(Files.readAllBytes(path), path.toString());
        } catch (NoSuchFileException e) {
            return builtIn();
        } catch (IOException e) {
            throw new JrunException("read the seccomp profile " + path + ": " + e.getMessage()
                    + "; make it readable, or set seccomp_profile in containers.conf", e);
        }
    }

    /** A profile the user named with --security-opt seccomp=FILE: it must exist. */
    public static Located file(Path path) throws JrunException {
        try {
            return new Located(Files.readAllBytes(path), path.toString());
        } catch (NoSuchFileException e) {
            throw new JrunException("--security-opt seccomp=" + path + ": no such file; give the path of a seccomp "
                    + "profile in podman's JSON format, or seccomp=unconfined");
        } catch (IOException e) {
            throw new JrunException("--security-opt seccomp=" + path + ": " + e.getMessage(), e);
        }
    }

    public static Located builtIn() {
        try (InputStream in = ProfileLocator.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + BUILT_IN_RESOURCE);
            return new Located(in.readAllBytes(), BUILT_IN_NAME);
        } catch (IOException e) {
            throw new IllegalStateException("read " + BUILT_IN_RESOURCE + " from the jar", e);
        }
    }
}
