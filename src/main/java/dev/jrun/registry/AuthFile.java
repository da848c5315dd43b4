package dev.jrun.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials in containers-auth.json(5) files, read in podman's order:
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code $XDG_CONFIG_HOME/containers/auth.json}
 * (default ~/.config), {@code ~/.docker/config.json}; or only {@code $REGISTRY_AUTH_FILE} when set.
 * {@link #login} and {@link #logout} write the first of those ({@code $REGISTRY_AUTH_FILE} or the
 * runtime-dir file, as {@code podman login} does; the config-dir file without XDG_RUNTIME_DIR).
 *
 * <p>Keys are {@code host}, {@code host/namespace[/name]} (the most specific match wins), or
 * Docker's legacy URLs such as {@code https://index.docker.io/v1/}. Credential helpers
 * ({@code credHelpers}, {@code credsStore}) and identity tokens are not supported yet.
 */
public final class AuthFile implements CredentialSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> readOrder;
    private final Path writeFile;

    public AuthFile(List<Path> readOrder, Path writeFile) {
        this.readOrder = List.copyOf(readOrder);
        this.writeFile = writeFile;
    }

    /** The files podman uses for this environment (see the class comment). */
    public static AuthFile forEnvironment(Map<String, String> env) {
        String override = env.get("REGISTRY_AUTH_FILE");
        if (override != null && !override.isEmpty()) {
            return new AuthFile(List.of(Path.of(override)), Path.of(override));
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String configHome = env.get("XDG_CONFIG_HOME");
        Path configFile = Path.of(configHome == null || configHome.isEmpty() ? home + "/.config" : configHome,
                "containers", "auth.json");
        Path dockerFile = Path.of(home, ".docker", "config.json");
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir == null || runtimeDir.isEmpty()) {
            return new AuthFile(List.of(configFile, dockerFile), configFile);
        }
        Path runtimeFile = Path.of(runtimeDir, "containers", "auth.json");
        return new AuthFile(List.of(runtimeFile, configFile, dockerFile), runtimeFile);
    }

    public Path writeFile() {
        return writeFile;
    }

    @Override
    public Optional<Credentials> find(String registry, String repository) throws JrunException {
        for (Path file : readOrder) {
            Optional<Credentials> found = findIn(file, normalizeRegistry(registry), repository);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<Credentials> findIn(Path file, String registry, String repository) throws JrunException {
        JsonNode auths = read(file).path("auths");
        if (!auths.isObject()) {
            return Optional.empty();
        }
        // Most specific first: host/ns/name, host/ns, host (containers-auth.json(5)).
        List<String> wanted = new ArrayList<>();
        String path = repository == null || repository.isEmpty() ? "" : "/" + repository;
        while (!path.isEmpty()) {
            wanted.add(registry + path);
            path = path.substring(0, path.lastIndexOf('/'));
        }
        wanted.add(registry);
        for (String key : wanted) {
            for (Map.Entry<String, JsonNode> entry : auths.properties()) {
                if (normalizeKey(entry.getKey()).equals(key)) {
                    Optional<Credentials> credentials = decode(file, entry.getKey(), entry.getValue());
                    if (credentials.isPresent()) {
                        return credentials;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Credentials> decode(Path file, String key, JsonNode entry) throws JrunException {
        String auth = entry.path("auth").asText("");
        if (auth.isEmpty()) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new JrunException("read credentials for " + key + " from " + file + ": the \"auth\" value is not"
                    + " base64; run jrun login again for that registry or fix the file");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new JrunException("read credentials for " + key + " from " + file + ": the \"auth\" value does not"
                    + " decode to user:password; run jrun login again for that registry");
        }
        return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** Legacy keys are URLs ("https://index.docker.io/v1/"): keep only the host, as containers/image does. */
    static String normalizeKey(String key) {
        String stripped = key;
        if (stripped.startsWith("http://") || stripped.startsWith("https://")) {
            stripped = stripped.substring(stripped.indexOf("://") + 3);
            int slash = stripped.indexOf('/');
            stripped = slash < 0 ? stripped : stripped.substring(0, slash);
        }
        int slash = stripped.indexOf('/');
        String host = slash < 0 ? stripped : stripped.substring(0, slash);
        return normalizeRegistry(host) + (slash < 0 ? "" : stripped.substring(slash));
    }

    /** Docker Hub has three host names; credentials are stored and found under docker.io. */
    static String normalizeRegistry(String host) {
        switch (host) {
            case "index.docker.io":
            case "registry-1.docker.io":
                return "docker.io";
            default:
                return host;
        }
    }

    private static JsonNode read(Path file) throws JrunException {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return node == null ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            throw new JrunException("read credentials file " + file + ": " + e.getMessage()
                    + "; fix or remove the file (it is JSON as described in containers-auth.json(5))", e);
        }
    }

    /**
     * Checks {@code credentials} against the registry (so a typo is reported now, not at the next
     * pull) and stores them under {@code key} (host, or host/namespace) in {@link #writeFile()}.
     */
    public void login(RegistryClient client, String key, boolean insecure, Credentials credentials) throws JrunException {
        String normalized = checkKey(key);
        String host = normalized.contains("/") ? normalized.substring(0, normalized.indexOf('/')) : normalized;
        client.checkLogin(host, insecure, credentials);
        ObjectNode root = readForUpdate();
        ObjectNode auths = root.path("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        removeMatching(auths, normalized);
        auths.putObject(normalized).put("auth", Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
        writeAtomically(root);
    }

    /** Removes stored credentials for {@code key} from {@link #writeFile()}. */
    public void logout(String key) throws JrunException {
        String normalized = checkKey(key);
        ObjectNode root = readForUpdate();
        JsonNode auths = root.path("auths");
        if (auths.isObject() && removeMatching((ObjectNode) auths, normalized)) {
            writeAtomically(root);
            return;
        }
        for (Path other : readOrder) {
            if (!other.equals(writeFile) && read(other).path("auths").isObject()) {
                for (Iterator<String> it = read(other).path("auths").fieldNames(); it.hasNext(); ) {
                    if (normalizeKey(it.next()).equals(normalized)) {
                        throw new JrunException("logout " + key + ": not logged in through " + writeFile
                                + ", but " + other + " holds credentials for it; remove them there"
                                + " (e.g. docker logout " + key + ")");
                    }
                }
            }
        }
        throw new JrunException("logout " + key + ": not logged in (no credentials for it in " + writeFile + ")");
    }

    private static boolean removeMatching(ObjectNode auths, String normalized) {
        List<String> remove = new ArrayList<>();
        auths.fieldNames().forEachRemaining(name -> {
            if (normalizeKey(name).equals(normalized)) {
                remove.add(name);
            }
        });
        auths.remove(remove);
        return !remove.isEmpty();
    }

    private static String checkKey(String key) throws JrunException {
        if (key == null || key.isEmpty() || key.contains("://") || key.endsWith("/") || key.contains("//")
                || key.chars().anyMatch(c -> c <= ' ' || c == '@')) {
            throw new JrunException("\"" + key + "\" is not a registry to log in to; use host[:port] or"
                    + " host[:port]/namespace, e.g. quay.io or localhost:5000");
        }
        return normalizeKey(key);
    }

    private ObjectNode readForUpdate() throws JrunException {
        JsonNode root = read(writeFile);
        if (!root.isObject()) {
            throw new JrunException("credentials file " + writeFile + " is not a JSON object; fix or remove it");
        }
        return (ObjectNode) root;
    }

    /**
     * Writes via a temporary file in the same directory and a rename, so readers never see half a
     * file; the temporary file is created with mode 0600 (not chmod-ed afterwards) so the secret is
     * never readable by others, not even for a moment, and the directory is made 0700.
     */
    private void writeAtomically(ObjectNode root) throws JrunException {
        Path dir = writeFile.toAbsolutePath().getParent();
        Path temp = null;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            temp = Files.createTempFile(dir, ".auth.json.", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(temp)) {
                out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
                out.write('\n');
            }
            try {
                Files.move(temp, writeFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, writeFile, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new JrunException("write credentials file " + writeFile + ": " + e.getMessage()
                    + "; check that its directory is writable (or set REGISTRY_AUTH_FILE)", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort: the failure above is what the user must see.
                }
            }
        }
    }
}
