package dev.jrun.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jrun.errors.JrunException;
import dev.jrun.registry.RegistryClient;
import dev.jrun.registry.RemoteRepository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * containers-registries.conf(5), version 2 (TOML): where short names are searched, and which
 * mirrors, locations and TLS settings apply to a registry.
 *
 * <p>Files, as containers/image reads them: {@code $CONTAINERS_REGISTRIES_CONF} if set, else the
 * user's {@code $XDG_CONFIG_HOME/containers/registries.conf} (default {@code ~/.config}) when it
 * exists — it then <em>replaces</em> the system file and the system drop-ins — else
 * {@code /etc/containers/registries.conf}; then the {@code *.conf} drop-ins of
 * {@code /etc/containers/registries.conf.d} (not with a user file) and of the user's
 * {@code registries.conf.d}. Short-name aliases, credential helpers and {@code pull-from-mirror}
 * are not read yet.
 *
 * <p>Short names: with {@code unqualified-search-registries} absent (or no file at all) jrun
 * searches {@code docker.io} only, so {@code jrun alpine} works as in Docker; an explicitly empty
 * list refuses short names as podman does. Candidates are tried in order ("permissive" short-name
 * mode: podman would prompt on a terminal in "enforcing" mode; jrun never prompts).
 */
public final class RegistriesConf {
    public static final Path SYSTEM_FILE = Path.of("/etc/containers/registries.conf");
    public static final Path SYSTEM_DROP_INS = Path.of("/etc/containers/registries.conf.d");
    private static final ObjectMapper TOML = TomlMapper.builder()
            // registries.conf has many keys jrun does not use (aliases, credential-helpers, ...).
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** One place to pull from: a mirror or the registry's own location. */
    public record Endpoint(ImageReference reference, boolean insecure, boolean mirror) {
        /** The repository to hand to {@link RegistryClient}, with this endpoint's TLS setting. */
        public RemoteRepository repository() {
            return new RemoteRepository(reference.domain(), reference.path(), insecure);
        }

        @Override
        public String toString() {
            return reference + (mirror ? " (mirror)" : "") + (insecure ? " (insecure)" : "");
        }
    }

    /** A {@code [[registry.mirror]]} table. */
    public record Mirror(@JsonProperty("location") String location, @JsonProperty("insecure") boolean insecure) {
    }

    /** A {@code [[registry]]} table; {@code prefix} defaults to {@code location}. */
    public record Registry(@JsonProperty("prefix") String prefix,
                           @JsonProperty("location") String location,
                           @JsonProperty("insecure") boolean insecure,
                           @JsonProperty("blocked") boolean blocked,
                           @JsonProperty("mirror") List<Mirror> mirrors) {
        public Registry {
            mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
            if (prefix == null || prefix.isEmpty()) {
                prefix = location;
            }
        }
    }

    private record FileContent(
            @JsonProperty("unqualified-search-registries") List<String> unqualifiedSearchRegistries,
            @JsonProperty("registry") List<Registry> registries,
            @JsonProperty("registries") Object version1Tables) {
    }

    private final String source;
    private final List<String> searchRegistries;
    private final List<Registry> registries;

    private RegistriesConf(String source, List<String> searchRegistries, List<Registry> registries) {
        this.source = source;
        this.searchRegistries = List.copyOf(searchRegistries);
        this.registries = List.copyOf(registries);
    }

    /** Reads the files podman would read for this environment (see the class comment). */
    public static RegistriesConf load(Map<String, String> env) throws JrunException {
        Path userFile = userFile(env);
        Path userDropIns = userFile.resolveSibling("registries.conf.d");
        String override = env.get("CONTAINERS_REGISTRIES_CONF");
        if (override != null && !override.isEmpty()) {
            return load(Path.of(override), List.of(SYSTEM_DROP_INS, userDropIns));
        }
        if (Files.exists(userFile)) {
            // containers/image: a user registries.conf replaces the system one and its drop-ins.
            return load(userFile, List.of(userDropIns));
        }
        return load(SYSTEM_FILE, List.of(SYSTEM_DROP_INS, userDropIns));
    }

    /** {@code $XDG_CONFIG_HOME/containers/registries.conf}, XDG_CONFIG_HOME defaulting to ~/.config. */
    public static Path userFile(Map<String, String> env) {
        String configHome = env.get("XDG_CONFIG_HOME");
        if (configHome == null || configHome.isEmpty()) {
            configHome = env.getOrDefault("HOME", System.getProperty("user.home")) + "/.config";
        }
        return Path.of(configHome, "containers", "registries.conf");
    }

    /** Reads {@code userFile} if it exists (it wins), else {@code systemFile} if it exists; no drop-ins. */
    public static RegistriesConf load(Path systemFile, Path userFile) throws JrunException {
        Path chosen = userFile != null && Files.exists(userFile) ? userFile : systemFile;
        return load(chosen, List.of());
    }

    /**
     * Reads {@code mainFile} (if it exists), then the {@code *.conf} files of each directory in
     * {@code dropInDirs} in name order, as containers/image merges them: a drop-in's
     * {@code [[registry]]} replaces the one with the same prefix, and its
     * {@code unqualified-search-registries}, when set, replaces the list.
     */
    public static RegistriesConf load(Path mainFile, List<Path> dropInDirs) throws JrunException {
        List<Path> files = new ArrayList<>();
        if (mainFile != null && Files.exists(mainFile)) {
            files.add(mainFile);
        }
        for (Path dir : dropInDirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    entries.filter(f -> f.getFileName().toString().endsWith(".conf") && Files.isRegularFile(f))
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new JrunException("read registries configuration directory " + dir + ": " + e.getMessage()
                            + "; check its permissions", e);
                }
            }
        }
        List<String> search = null;
        Map<String, Registry> byPrefix = new TreeMap<>();
        for (Path file : files) {
            FileContent content = read(file);
            if (content.unqualifiedSearchRegistries() != null) {
                search = content.unqualifiedSearchRegistries();
            }
            for (Registry registry : content.registries() == null ? List.<Registry>of() : content.registries()) {
                byPrefix.put(registry.prefix(), registry);
            }
        }
        String source = files.isEmpty() ? "(no registries.conf)" : files.size() == 1 ? files.get(0).toString()
                : files.get(0) + " and " + String.join(", ", files.subList(1, files.size()).stream().map(Path::toString).toList());
        return new RegistriesConf(source, search == null ? List.of(ImageReference.DOCKER_HUB) : search,
                new ArrayList<>(byPrefix.values()));
    }

    private static FileContent read(Path file) throws JrunException {
        FileContent content;
        try {
            content = TOML.readValue(Files.readString(file), FileContent.class);
        } catch (IOException e) {
            throw new JrunException("read registries configuration " + file + ": " + e.getMessage()
                    + "; fix the TOML syntax (see containers-registries.conf(5))", e);
        }
        if (content == null) {
            return new FileContent(null, null, null);
        }
        if (content.version1Tables() != null) {
            throw new JrunException("registries configuration " + file + " uses the version 1 format"
                    + " ([registries.search] tables), which jrun does not read; convert it to version 2"
                    + " (unqualified-search-registries = [...] and [[registry]] tables, see containers-registries.conf(5))");
        }
        for (Registry registry : content.registries() == null ? List.<Registry>of() : content.registries()) {
            validate(file, registry);
        }
        for (String host : content.unqualifiedSearchRegistries() == null ? List.<String>of() : content.unqualifiedSearchRegistries()) {
            if (host == null || host.isEmpty() || host.contains("/") || host.contains("://")) {
                throw new JrunException("registries configuration " + file + ": unqualified-search-registries entry \""
                        + host + "\" is not a registry host name; use host[:port] such as docker.io or quay.io");
            }
        }
        return content;
    }

    private static void validate(Path file, Registry registry) throws JrunException {
        String where = "registries configuration " + file + ": [[registry]] with prefix \"" + registry.prefix() + "\"";
        if (registry.prefix() == null || registry.prefix().isEmpty()) {
            throw new JrunException("registries configuration " + file
                    + ": a [[registry]] table has neither prefix nor location; set location = \"host[/path]\"");
        }
        if (registry.prefix().startsWith("*.")) {
            if (registry.prefix().chars().anyMatch(c -> c == '/' || c == ':' || c == '@')) {
                throw new JrunException(where + " is a wildcard with a port or path; write it as *.example.com");
            }
            // containers/image: a wildcard prefix only selects settings; it cannot be rewritten.
            if (registry.location() != null && !registry.location().isEmpty()) {
                throw new JrunException(where + " is a wildcard and must not set location");
            }
        }
        checkLocation(where, registry.location());
        for (Mirror mirror : registry.mirrors()) {
            if (mirror.location() == null || mirror.location().isEmpty()) {
                throw new JrunException(where + " has a [[registry.mirror]] without location; set location = \"host[/path]\"");
            }
            checkLocation(where + " mirror", mirror.location());
        }
    }

    private static void checkLocation(String where, String location) throws JrunException {
        if (location != null && location.contains("://")) {
            // The scheme is decided by "insecure", not by the location, as in containers/image.
            throw new JrunException(where + ": location \"" + location + "\" must not contain a scheme;"
                    + " write host[:port][/path] and set insecure = true for plain HTTP");
        }
    }

    /** The files that were read, for messages. */
    public String source() {
        return source;
    }

    public List<String> searchRegistries() {
        return searchRegistries;
    }

    /**
     * The fully-qualified references to try for {@code ref}, in order: itself if it names a
     * registry; for a short name one per unqualified-search registry.
     */
    public List<ImageReference> candidates(ImageReference ref) throws JrunException {
        if (!ref.isShortName()) {
            return List.of(ref);
        }
        if (searchRegistries.isEmpty()) {
            throw new JrunException("short-name \"" + ref.typedPath() + "\" cannot be resolved: "
                    + "unqualified-search-registries in " + source + " is empty; use a fully-qualified"
                    + " reference such as docker.io/library/" + ref.typedPath() + " or add registries to that list");
        }
        List<ImageReference> out = new ArrayList<>();
        for (String host : searchRegistries) {
            out.add(ref.onDomain(host));
        }
        return List.copyOf(out);
    }

    /**
     * Where to pull a fully-qualified {@code ref} from: the matching registry's mirrors in order,
     * then its location (both with the matched prefix rewritten), each with its own TLS setting.
     *
     * @throws JrunException if the registry is blocked
     */
    public List<Endpoint> endpoints(ImageReference ref) throws JrunException {
        if (ref.isShortName()) {
            throw new IllegalArgumentException("resolve short name " + ref.typedPath() + " with candidates() first");
        }
        String full = ref.toString();
        Optional<Registry> match = findRegistry(full);
        if (match.isEmpty()) {
            return List.of(new Endpoint(ref, false, false));
        }
        Registry registry = match.get();
        if (registry.blocked()) {
            throw new JrunException("registry " + registry.prefix() + " is blocked in " + source
                    + ", so " + ref + " cannot be pulled; use another registry or remove blocked = true there");
        }
        List<Endpoint> out = new ArrayList<>();
        boolean wildcard = registry.prefix().startsWith("*.");
        for (Mirror mirror : registry.mirrors()) {
            out.add(new Endpoint(rewrite(full, registry.prefix(), mirror.location(), wildcard), mirror.insecure(), true));
        }
        String location = registry.location() == null || registry.location().isEmpty() ? null : registry.location();
        out.add(new Endpoint(location == null ? ref : rewrite(full, registry.prefix(), location, wildcard),
                registry.insecure(), false));
        return List.copyOf(out);
    }

    /** Whether the registry (host[:port]) is marked insecure: plain HTTP allowed, TLS not verified. */
    public boolean isInsecure(String registryHost) {
        return findRegistry(registryHost).map(Registry::insecure).orElse(false);
    }

    private static ImageReference rewrite(String full, String prefix, String location, boolean wildcard)
            throws JrunException {
        if (wildcard) {
            return ImageReference.parse(full);
        }
        String rewritten = location + full.substring(prefix.length());
        try {
            return ImageReference.parse(rewritten);
        } catch (JrunException e) {
            throw new JrunException("registries configuration rewrites " + full + " to " + rewritten
                    + " (prefix \"" + prefix + "\", location \"" + location + "\"), which is not a valid reference: "
                    + e.getMessage(), e);
        }
    }

    /** containers/image's rule: the longest prefix that matches at a '/', ':' or '@' boundary. */
    private Optional<Registry> findRegistry(String full) {
        Registry best = null;
        int bestLength = -1;
        for (Registry registry : registries) {
            int length = matchLength(full, registry.prefix());
            if (length > bestLength) {
                best = registry;
                bestLength = length;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int matchLength(String full, String prefix) {
        if (prefix.startsWith("*.")) {
            // "*.example.com" matches hosts that end in ".example.com" (not example.com itself).
            int slash = full.indexOf('/');
            String host = slash < 0 ? full : full.substring(0, slash);
            int colon = host.indexOf(':');
            String hostName = colon < 0 ? host : host.substring(0, colon);
            return hostName.endsWith(prefix.substring(1)) ? prefix.length() : -1;
        }
        if (!full.startsWith(prefix)) {
            return -1;
        }
        if (full.length() == prefix.length()) {
            return prefix.length();
        }
        char next = full.charAt(prefix.length());
        return next == '/' || next == ':' || next == '@' ? prefix.length() : -1;
    }
}
