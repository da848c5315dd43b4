package dev.jrun.store;

import dev.jrun.oci.DiffId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The containers of a store, one directory each:
 * <pre>
 * containers/ID/
 *     container.json   {@link ContainerRecord}: name, image, command, layers, how to run it
 *     state.json       {@link ContainerState}: its process, once started
 *     exit.json        {@link ContainerExit}: written by jrun-monitor when it ends
 *     ctr.log          what it wrote, in podman's k8s-file format
 *     upper/ work/     overlay upperdir and workdir
 *     rootfs/          the overlay mount point (or a flattened copy)
 * </pre>
 * Whether a container runs is decided from its own process (PID and start time), never from
 * whether some jrun is still around: a container's PID 1 can clear PR_SET_PDEATHSIG.
 */
public final class ContainerStore {
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** podman's rule for names (libpod/define: NameRegex). */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final Path containersDir;
    private final StoreLocks locks;
    private final StoreFiles files;
    private final Layers layers;
    private final Temporaries temporaries;
    private final Remover remover;

    ContainerStore(Path root, StoreLocks locks, StoreFiles files, Layers layers, Temporaries temporaries,
                   Remover remover) {
        this.containersDir = root.resolve("containers");
        this.locks = locks;
        this.files = files;
        this.layers = layers;
        this.temporaries = temporaries;
        this.remover = remover;
    }

    private Path containersDir() {
        return containersDir;
    }

    /**
     * Creates {@code containers/<id>/} with its record; with {@code withOverlayDirs}, also
     * {@code upper/}, {@code work/} and {@code rootfs/}. The name must be free.
     */
    public ContainerArea create(ContainerRecord record, boolean withOverlayDirs) throws StoreException {
        checkId(record.id());
        checkName(record.name());
        Path dir = containersDir().resolve(record.id());
        try (StoreLock.Hold ignored = locks.lockMutations()) {
            for (DiffId layer : record.layers()) {
                if (!layers.hasLayer(layer)) {
                    throw new StoreException("cannot create container " + record.name() + ": layer " + layer
                            + " of image " + record.image() + " is missing from the store; pull the image again");
                }
            }
            for (ContainerRecord other : records()) {
                if (record.name().equals(other.name())) {
                    // podman's wording, which scripts grep for.
                    throw new StoreException("the container name \"" + record.name() + "\" is already in use by "
                            + other.id() + ". You have to remove that container to be able to reuse that name: "
                            + "that name is already in use (jrun rm " + record.name() + ")");
                }
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                throw new StoreException("container " + record.id() + " already exists in " + containersDir()
                        + "; choose another name or remove it");
            }
            if (withOverlayDirs) {
                for (String sub : List.of("upper", "work", "rootfs")) Files.createDirectory(dir.resolve(sub));
            }
            files.writeJsonAtomically(dir.resolve("container.json"), record);
        } catch (IOException e) {
            throw new StoreException("cannot create container directory " + dir + ": " + e.getMessage(), e);
        }
        return area(record);
    }

    /** Rewrites a container's record (once its plan is known). */
    public void update(ContainerRecord record) throws StoreException {
        checkId(record.id());
        Path dir = containersDir().resolve(record.id());
        try {
            files.writeJsonAtomically(dir.resolve("container.json"), record);
        } catch (IOException e) {
            throw new StoreException("cannot update the record of container " + record.name() + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** The area of an existing container, by its full ID. */
    public ContainerArea get(String id) throws StoreException {
        checkId(id);
        Path file = containersDir().resolve(id).resolve("container.json");
        if (!Files.exists(file)) throw noSuchContainer(id);
        return area(files.readJson(file, ContainerRecord.class, "container " + id));
    }

    /** By name, full ID or unique ID prefix, as podman resolves them. */
    public ContainerArea find(String nameOrId) throws StoreException {
        List<ContainerRecord> all = records();
        for (ContainerRecord r : all) {
            if (r.id().equals(nameOrId) || nameOrId.equals(r.name())) return area(r);
        }
        List<ContainerRecord> prefixed = all.stream().filter(r -> r.id().startsWith(nameOrId)).toList();
        if (prefixed.size() > 1) {
            throw new StoreException("more than one result for container \"" + nameOrId + "\": "
                    + prefixed.stream().map(r -> r.id().substring(0, 12) + " (" + r.name() + ")").toList()
                    + "; give more of the ID or the name");
        }
        if (prefixed.isEmpty() || nameOrId.isEmpty()) throw noSuchContainer(nameOrId);
        return area(prefixed.get(0));
    }

    private static StoreException noSuchContainer(String nameOrId) {
        return new StoreException("no container with name or ID \"" + nameOrId + "\" found: no such container"
                + " (jrun ps -a lists them)");
    }

    public ContainerArea area(ContainerRecord record) {
        Path dir = containersDir().resolve(record.id());
        List<Path> lowers = new ArrayList<>();
        for (int i = record.layers().size() - 1; i >= 0; i--) lowers.add(layers.layerDiffDir(record.layers().get(i)));
        return new ContainerArea(record, dir, dir.resolve("upper"), dir.resolve("work"), dir.resolve("rootfs"), lowers);
    }

    public List<ContainerRecord> records() throws StoreException {
        List<ContainerRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(containersDir())) {
            for (Path p : dir) {
                Path file = p.resolve("container.json");
                try {
                    out.add(files.readJson(file, ContainerRecord.class, "container " + p.getFileName()));
                } catch (StoreException e) {
                    if (Files.exists(file)) throw e;   // gone meanwhile (removed by its monitor): not listed
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list containers in " + containersDir() + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparing(ContainerRecord::created));
        return out;
    }

    public void writeState(ContainerArea area, ContainerState state) throws StoreException {
        try {
            files.writeJsonAtomically(area.dir().resolve("state.json"), state);
        } catch (IOException e) {
            throw new StoreException("cannot record the state of container " + area.record().name() + " in "
                    + area.dir() + ": " + e.getMessage(), e);
        }
    }

    public Optional<ContainerState> state(ContainerArea area) throws StoreException {
        return optionalJson(area.dir().resolve("state.json"), ContainerState.class, area);
    }

    /** The recorded exit status; empty while running, or when nobody could record it (its monitor was killed). */
    public Optional<ContainerExit> exit(ContainerArea area) {
        try {
            return optionalJson(area.dir().resolve("exit.json"), ContainerExit.class, area);
        } catch (StoreException unreadable) {
            return Optional.empty();   // the status is unknown; the container is not unusable
        }
    }

    /** Forgets a stopped container's last run, before it starts again. */
    public void clearRun(ContainerArea area) throws StoreException {
        try {
            Files.deleteIfExists(area.dir().resolve("exit.json"));
            Files.deleteIfExists(area.dir().resolve("state.json"));
        } catch (IOException e) {
            throw new StoreException("cannot reset the state of container " + area.record().name() + ": "
                    + e.getMessage(), e);
        }
    }

    private <T> Optional<T> optionalJson(Path file, Class<T> type, ContainerArea area) throws StoreException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try {
            return Optional.of(files.readJson(file, type, "container " + area.record().name()));
        } catch (StoreException e) {
            if (!Files.exists(file)) return Optional.empty();   // removed meanwhile
            throw e;
        }
    }

    /**
     * Removes a container's directory. The record goes first, so a crash half-way leaves a
     * directory without record, which the next opening of the store removes.
     */
    public void remove(String id) throws StoreException {
        checkId(id);
        Path dir = containersDir().resolve(id);
        try (StoreLock.Hold ignored = locks.lockMutations()) {
            Files.deleteIfExists(dir.resolve("container.json"));
            remover.removeTree(dir);
        } catch (NoSuchFileException e) {
            // removed meanwhile (by its monitor, or a second jrun rm)
        } catch (IOException e) {
            throw new StoreException("cannot remove container directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Containers nothing will ever remove: directories whose record went before a crash, those
     * whose creator was killed before starting them, and {@code --rm} ones whose monitor was
     * killed after they ended. A container with a live process is never touched.
     */
    void removeDebris() throws StoreException {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(containersDir())) {
            for (Path p : dir) {
                Path record = p.resolve("container.json");
                if (!Files.exists(record, LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(
                            Instant.now().minus(Duration.ofMinutes(10)))) {
                        temporaries.removeBestEffort(p);
                    }
                } else if (isDebris(p, record)) {
                    Files.deleteIfExists(record);
                    temporaries.removeBestEffort(p);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot clean up container directories in " + containersDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private boolean isDebris(Path dir, Path recordFile) {
        try {
            ContainerRecord record = files.json().readValue(recordFile.toFile(), ContainerRecord.class);
            Path stateFile = dir.resolve("state.json");
            if (!Files.exists(stateFile)) return record.ownerIsDead();
            if (!record.autoRemove()) return false;
            ContainerState state = files.json().readValue(stateFile.toFile(), ContainerState.class);
            boolean monitorGone = !state.bootId().equals(HostProcesses.bootId())
                    || ProcessHandle.of(state.monitorPid()).isEmpty();
            return !state.isRunning() && monitorGone;
        } catch (IOException e) {
            return false; // being written, or unreadable: leave it to the user
        }
    }

    private static void checkId(String id) throws StoreException {
        // The ID becomes a directory name: no "/", no "..", no leading "-" or ".".
        if (id == null || !CONTAINER_ID.matcher(id).matches()) {
            throw new StoreException("invalid container ID \"" + id + "\": use 1-128 letters, digits, '_', '.', '-',"
                    + " starting with a letter or digit");
        }
    }

    private static void checkName(String name) throws StoreException {
        if (name == null || !NAME.matcher(name).matches() || name.length() > 253) {
            throw new StoreException("invalid container name \"" + name + "\": names must match "
                    + "[a-zA-Z0-9][a-zA-Z0-9_.-]* (as podman's)");
        }
    }
}
