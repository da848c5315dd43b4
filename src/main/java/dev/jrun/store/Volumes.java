package dev.jrun.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.StandardOpenOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Named volumes, as podman keeps them: {@code volumes/NAME/_data} is the directory containers
 * see, {@code volumes/NAME/volume.json} what jrun knows of it. A volume appears by renaming a
 * complete directory into place, so a reader never sees half a volume and two jruns creating
 * the same name agree on one.
 */
public final class Volumes {
    /**
     * podman's rule (libpod/define: "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"). It is a
     * security rule here too: the name becomes a directory under volumes/, so it must never hold
     * '/', be "." or "..", or start with '-' or '.' (hidden, or an option to a helper command).
     */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    /** A file name is at most 255 bytes (NAME_MAX); podman sets no lower limit. */
    private static final int MAX_NAME = 255 - 16;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What {@code volume inspect} prints, in podman's field names. */
    public record Volume(@JsonProperty("Name") String name, @JsonProperty("Driver") String driver,
            @JsonProperty("Mountpoint") String mountpoint, @JsonProperty("CreatedAt") String createdAt,
            @JsonProperty("Labels") Map<String, String> labels, @JsonProperty("Scope") String scope,
            @JsonProperty("Options") Map<String, String> options,
            @JsonProperty("NeedsCopyUp") boolean needsCopyUp) {

        public Volume {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        Volume used() {
            return new Volume(name, driver, mountpoint, createdAt, labels, scope, options, false);
        }
    }

    private static final String LOCK = "lock";
    private static final List<FileChannel> IN_USE = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final java.util.Set<Path> USED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Remover remover;

    private Volumes(Path dir, Remover remover) {
        this.dir = dir;
        this.remover = remover;
    }

    /** The volumes of the store at {@code storeRoot}; its volumes/ directory is made on first use. */
    public static Volumes of(Path storeRoot, Remover remover) {
        return new Volumes(storeRoot.resolve("volumes"), remover);
    }

    public static boolean validName(String name) {
        return name.length() <= MAX_NAME && NAME.matcher(name).matches();
    }

    public static String checkName(String name, String context) throws StoreException {
        if (!validName(name)) {
            throw new StoreException(context + ": volume name '" + name + "' is not valid: names must match "
                    + "[a-zA-Z0-9][a-zA-Z0-9_.-]* (at most " + MAX_NAME + " characters), as in podman; to bind-mount "
                    + "a host directory instead, give its path as /path or ./path");
        }
        return name;
    }

    /** The directory containers see; the volume need not exist. */
    public Path dataDir(String name) {
        return dir.resolve(name).resolve("_data");
    }

    /**
     * Creates the volume; if one of that name exists, returns it when {@code ignoreExisting}
     * (podman's --ignore, and what -v NAME:/path does), else refuses.
     */
    public Volume create(String name, boolean ignoreExisting) throws StoreException {
        checkName(name, "create volume " + name);
        Optional<Volume> existing = find(name);
        if (existing.isPresent()) {
            if (ignoreExisting) return existing.get();
            throw new StoreException("create volume " + name + ": a volume of that name already exists; use it, "
                    + "or remove it first (jrun volume rm " + name + ")");
        }
        Path staging = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // 0755 as podman's: container users other than root may need to reach the files.
            Files.createDirectory(staging.resolve("_data"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Volume volume = new Volume(name, "local", dataDir(name).toString(), Instant.now().toString(), Map.of(),
                    "local", Map.of(), true);
            JSON.writeValue(staging.resolve("volume.json").toFile(), volume);
            try {
                Files.move(staging, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("rename into " + dir + " is not atomic there", e);
            } catch (FileSystemException lost) {
                // rename(2) fails with ENOTEMPTY (Java: a plain FileSystemException) when another
                // jrun made the volume meanwhile: that one is the volume.
                if (!Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) throw lost;
                remover.removeTree(staging);
                return create(name, ignoreExisting);
            }
            return volume;
        } catch (IOException e) {
            try {
                remover.removeTree(staging);
            } catch (IOException ignored) {
                // the failure that matters is the one below
            }
            throw new StoreException("create volume " + name + " in " + dir + ": " + e.getMessage()
                    + "; check that the store is writable and the disk not full", e);
        }
    }

    public Optional<Volume> find(String name) throws StoreException {
        if (!validName(name)) return Optional.empty();
        Path file = dir.resolve(name).resolve("volume.json");
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            return Optional.of(JSON.readValue(file.toFile(), Volume.class));
        } catch (IOException e) {
            throw new StoreException("read volume " + name + " (" + file + "): " + e.getMessage()
                    + "; remove the volume with jrun volume rm " + name, e);
        }
    }

    /** Every volume, by name. */
    public List<Volume> list() throws StoreException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (validName(n)) names.add(n);
            }
        } catch (NoSuchFileException none) {
            return List.of();
        } catch (IOException e) {
            throw new StoreException("list volumes in " + dir + ": " + e.getMessage(), e);
        }
        names.sort(null);
        List<Volume> out = new ArrayList<>();
        for (String n : names) find(n).ifPresent(out::add);
        return out;
    }

    /** Records that a container used the volume: later uses never copy the image's files in. */
    public void markUsed(String name) throws StoreException {
        Volume v = find(name).orElseThrow(() -> new StoreException("volume " + name + " disappeared while in use"));
        if (!v.needsCopyUp()) return;
        Path file = dir.resolve(name).resolve("volume.json");
        Path temp = dir.resolve(name).resolve(".volume.json-" + UUID.randomUUID());
        try {
            JSON.writeValue(temp.toFile(), v.used());
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // reported below
            }
            throw new StoreException("update volume " + name + " (" + file + "): " + e.getMessage(), e);
        }
    }

    /**
     * Marks the volume in use by this process until it ends: a shared fcntl lock on its lock
     * file, which the kernel drops when the process dies, so a crashed run never leaves a volume
     * "in use" (fcntl(2)). Kept across execve, so a monitor that replaces jrun keeps it too.
     */
    public void use(String name) throws StoreException {
        checkName(name, "use volume " + name);
        if (!USED.add(dir.resolve(name))) return;   // mounted twice by one run: one lock is enough
        try {
            FileChannel channel = FileChannel.open(dir.resolve(name).resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.lock(0, Long.MAX_VALUE, true);
            IN_USE.add(channel);   // closing any descriptor of the file would drop the lock
        } catch (IOException e) {
            throw new StoreException("lock volume " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the volume and everything in it, unless a container uses it. The record goes first
     * (renamed away), so a half-removed volume is never listed or used.
     */
    public void remove(String name) throws StoreException {
        if (find(name).isEmpty()) {
            throw new StoreException("no volume with name \"" + name + "\" found: no such volume; see jrun volume ls");
        }
        Path doomed = dir.resolve(".rm-" + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(dir.resolve(name).resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (tryExclusive(channel) == null) {
                throw new StoreException(2, "volume " + name + " is being used by a running container: volume is "
                        + "being used; stop the container first, then remove the volume", null);
            }
            Files.move(dir.resolve(name), doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException removedMeanwhile) {
            return;
        } catch (IOException e) {
            throw new StoreException("remove volume " + name + ": " + e.getMessage(), e);
        }
        try {
            remover.removeTree(doomed);
        } catch (IOException e) {
            throw new StoreException("remove volume " + name + ": " + e.getMessage() + "; what is left is in "
                    + doomed + " (remove it with: jrun unshare rm -rf " + doomed + ")", e);
        }
    }

    /** The exclusive lock, or null while a run (of any process, this one too) holds it shared. */
    private static FileLock tryExclusive(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldByThisProcess) {
            return null;
        }
    }

    /** Whether a running container uses the volume (holds its lock). */
    public boolean inUse(String name) throws StoreException {
        try (FileChannel channel = FileChannel.open(dir.resolve(name).resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = tryExclusive(channel);
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (NoSuchFileException removed) {
            return false;
        } catch (IOException e) {
            throw new StoreException("check whether volume " + name + " is in use: " + e.getMessage(), e);
        }
    }
}
