package dev.jrun.runtime.network;

import static dev.jrun.sys.Linux.CLONE_NEWNET;
import static dev.jrun.sys.Linux.EPERM;
import static dev.jrun.sys.Linux.O_CLOEXEC;
import static dev.jrun.sys.Linux.O_NOCTTY;
import static dev.jrun.sys.Linux.O_NONBLOCK;
import static dev.jrun.sys.Linux.O_RDONLY;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --network ns:PATH}: the network namespace at PATH (/proc/PID/ns/net, or a file one was
 * bound to), opened and checked before anything starts.
 *
 * <p>setns(2) with CLONE_NEWNET needs CAP_SYS_ADMIN in the user namespace that owns the network
 * namespace and in the caller's own (setns(2); user_namespaces(7): a process has all
 * capabilities in a user namespace whose owner is its effective UID and whose parent is its own).
 * A rootless caller has no capabilities in its own user namespace, so:
 * <ul>
 *   <li>a namespace owned by the caller's own user namespace (the host's network namespace, or
 *       one root made with ip netns) cannot be entered: refused, --network host says what the
 *       host's one would give;</li>
 *   <li>one owned by a user namespace the caller owns (NS_GET_OWNER_UID, ioctl_ns(2): a jrun
 *       container's, or one made by {@code unshare -Urn}) is entered by entering that user
 *       namespace first; the container is then created in it, with its ID map;</li>
 *   <li>anything else (another user's) is refused.</li>
 * </ul>
 * Root has CAP_SYS_ADMIN in its own user namespace and enters any network namespace of it
 * directly; the container still gets a user namespace of its own.
 */
public final class NamespaceFile {
    private NamespaceFile() {}

    /** ioctl_ns(2) requests: _IO(0xb7, N). */
    public static final long NS_GET_USERNS = 0xb701;
    public static final long NS_GET_PARENT = 0xb702;
    static final long NS_GET_NSTYPE = 0xb703;
    static final long NS_GET_OWNER_UID = 0xb704;

    /**
     * The descriptors to enter, in order: the owning user namespace if the container must be
     * created in it, then the network namespace. The caller closes them.
     */
    public record Opened(Optional<Integer> userns, int netns) {}

    /**
     * @param ownMaps the container's planned uid_map and gid_map text: created in the owning user
     *     namespace, it gets that namespace's maps, which must be these for its plan to hold
     */
    public static Opened open(Syscalls sys, Path path, List<String> ownMaps) throws JrunException {
        String asked = "--network ns:" + path;
        int netns;
        try {
            // Not blocking, no terminal: PATH is the user's, and a FIFO there would block the open
            // until someone writes (fifo(7)); a namespace file is checked by ioctl below.
            netns = sys.open(path.toString(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        } catch (SysException e) {
            throw new JrunException(asked + ": " + e.getMessage() + "; give a network namespace file such as "
                    + "/proc/PID/ns/net", e);
        }
        Integer userns = null;
        boolean done = false;
        try {
            int type;
            try {
                type = sys.nsIoctl(netns, NS_GET_NSTYPE)[0];
            } catch (SysException e) {
                throw new JrunException(asked + ": not a namespace file (" + e.getMessage() + "); give a network "
                        + "namespace file such as /proc/PID/ns/net", e);
            }
            if (type != CLONE_NEWNET) {
                throw new JrunException(asked + ": a namespace, but not a network namespace; give /proc/PID/ns/net "
                        + "or a file a network namespace is bound to");
            }
            try {
                userns = sys.nsIoctl(netns, NS_GET_USERNS)[0];
            } catch (SysException e) {
                if (e.errno() != EPERM) throw new JrunException(asked + ": find its owning user namespace: " + e.getMessage(), e);
                // ioctl_ns(2): EPERM when the owner is outside the caller's user namespace.
                throw new JrunException(asked + ": the network namespace belongs to a user namespace above yours, "
                        + "which you cannot enter; use --network host or a private network (pasta, slirp4netns)", e);
            }
            boolean ownUserNamespace = sameNamespace(userns, "/proc/self/ns/user");
            if (ownUserNamespace) {
                if (sys.getuid() == 0) {
                    // Root's capabilities in its own user namespace suffice (setns(2)).
                    sys.close(userns);
                    userns = null;
                    done = true;
                    return new Opened(Optional.empty(), netns);
                }
                throw new JrunException(asked + ": the network namespace belongs to your own user namespace (as "
                        + "the host's does), and entering it needs CAP_SYS_ADMIN there, which a rootless user does "
                        + "not have (setns(2), user_namespaces(7)); for the host's network use --network host");
            }
            int owner;
            try {
                owner = sys.nsIoctl(userns, NS_GET_OWNER_UID)[1];
            } catch (SysException e) {
                throw new JrunException(asked + ": find who owns its user namespace: " + e.getMessage(), e);
            }
            if (owner != sys.getuid()) {
                throw new JrunException(asked + ": the network namespace belongs to a user namespace of UID " + owner
                        + ", not yours (" + sys.getuid() + "); you can enter only your own (user_namespaces(7))");
            }
            checkMaps(asked, path, userns, ownMaps);
            done = true;
            return new Opened(Optional.of(userns), netns);
        } finally {
            if (!done) {
                sys.close(netns);
                if (userns != null) sys.close(userns);
            }
        }
    }

    /**
     * The container is created in the user namespace with no maps of its own, so its plan holds
     * only where that namespace's maps agree: its root must be the caller's own ID (as in every
     * jrun container), and setgroups(2) must be allowed (the container sets its groups; {@code
     * unshare -r} writes "deny", user_namespaces(7)). Other IDs are that namespace's: one it does
     * not map is the kernel's error when the container uses it. The maps show only through a
     * process in the namespace (/proc/PID/uid_map): the one PATH names, or any of ours; with none
     * left (a bound namespace) the kernel has the last word.
     */
    private static void checkMaps(String asked, Path path, int userns, List<String> ownMaps) throws JrunException {
        Optional<Path> proc = processIn(path, userns);
        if (proc.isEmpty()) return;
        List<String> theirs = new ArrayList<>();
        String setgroups;
        try {
            for (String file : List.of("uid_map", "gid_map")) theirs.add(normalized(Files.readString(proc.get().resolve(file))));
            setgroups = Files.readString(proc.get().resolve("setgroups")).strip();
        } catch (IOException e) {
            return;   // it ended meanwhile
        }
        for (int i = 0; i < 2; i++) {
            String ours = rootLine(normalized(ownMaps.get(i)));
            if (!ours.equals(rootLine(theirs.get(i)))) {
                throw new JrunException(asked + ": its user namespace, which the container would be created in, "
                        + "maps container root elsewhere (" + (i == 0 ? "uid_map " : "gid_map ")
                        + theirs.get(i).replace("\n", ", ") + "; yours has " + ours + "); share a jrun container's "
                        + "network (--network container:NAME, or its /proc/PID/ns/net) or one made by you with "
                        + "unshare --map-auto --map-root-user");
            }
        }
        if (!setgroups.equals("allow")) {
            throw new JrunException(asked + ": its user namespace denies setgroups(2) (/proc/PID/setgroups is \""
                    + setgroups + "\", as unshare -r leaves it), which a container needs to set its groups; make the "
                    + "namespace with unshare --map-auto --map-root-user, or share a jrun container's network "
                    + "(--network container:NAME)");
        }
    }

    /** The line that maps container ID 0, or "". */
    private static String rootLine(String map) {
        return map.lines().filter(l -> l.startsWith("0 ")).findFirst().orElse("");
    }

    /** A process in the user namespace {@code userns}: PID of /proc/PID/ns/net, else any in /proc. */
    private static Optional<Path> processIn(Path path, int userns) throws JrunException {
        String want = link(Path.of("/proc/self/fd/" + userns));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/proc/([0-9]+)/ns/net").matcher(path.toString());
        List<Path> candidates = new ArrayList<>();
        if (m.matches()) candidates.add(Path.of("/proc", m.group(1)));
        try (var all = Files.list(Path.of("/proc"))) {
            all.filter(p -> p.getFileName().toString().matches("[0-9]+")).forEach(candidates::add);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (Path p : candidates) {
            try {
                if (Files.readSymbolicLink(p.resolve("ns/user")).toString().equals(want)) return Optional.of(p);
            } catch (IOException | SecurityException e) {
                // not ours to read, or gone
            }
        }
        return Optional.empty();
    }

    private static String link(Path p) throws JrunException {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw new JrunException("read " + p + ": " + e.getMessage() + "; is /proc mounted?", e);
        }
    }

    private static String normalized(String map) {
        return map.strip().lines().map(l -> String.join(" ", l.strip().split("\\s+"))).collect(
                java.util.stream.Collectors.joining("\n"));
    }

    /** Whether our descriptor {@code fd} is the namespace {@code path} names (same "type:[inode]"). */
    public static boolean sameNamespace(int fd, String path) throws JrunException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).equals(Files.readSymbolicLink(Path.of(path)));
        } catch (IOException e) {
            throw new JrunException("compare namespaces through /proc/self: " + e.getMessage() + "; is /proc mounted?", e);
        }
    }
}
