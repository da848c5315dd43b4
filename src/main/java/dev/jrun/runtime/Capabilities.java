package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Capability names and numbers (capabilities(7), linux/capability.h), and podman's --cap-add/--cap-drop. */
public final class Capabilities {
    private Capabilities() {}

    /** Index = capability number. */
    static final List<String> NAMES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
            "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
            "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
            "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    /** "CAP_SYS_ADMIN" for 21; "CAP_21" for a number newer than this table. */
    public static String name(int cap) {
        return "CAP_" + (cap < NAMES.size() ? NAMES.get(cap) : String.valueOf(cap));
    }

    /** A name as podman takes it: any case, with or without CAP_; -1 for ALL. */
    static int parse(String given, String option, int lastCap) throws JrunException {
        String n = given.strip().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) return -1;
        if (n.startsWith("CAP_")) n = n.substring(4);
        int cap = NAMES.indexOf(n);
        if (cap < 0 || cap > lastCap) {
            throw new JrunException(option + " " + given + ": not a capability " + (cap > lastCap ? "this kernel knows"
                    : "name") + "; see capabilities(7), e.g. NET_ADMIN or CAP_SYS_PTRACE, or ALL");
        }
        return cap;
    }

    /**
     * The bounding set a container gets, as podman computes it (containers/common
     * pkg/capabilities MergeCapabilities): --privileged is every capability; ALL in --cap-drop
     * keeps only the named additions; ALL in --cap-add starts from every capability; otherwise
     * the default set; then the drops are removed and the additions added.
     */
    static Set<Integer> boundingSet(Set<Integer> defaults, List<String> add, List<String> drop, boolean privileged,
                                    int lastCap) throws JrunException {
        Set<Integer> all = new TreeSet<>();
        for (int c = 0; c <= lastCap; c++) all.add(c);
        Set<Integer> added = new TreeSet<>();
        boolean addAll = false;
        for (String a : add) {
            int cap = parse(a, "--cap-add", lastCap);
            if (cap < 0) addAll = true; else added.add(cap);
        }
        Set<Integer> dropped = new TreeSet<>();
        boolean dropAll = false;
        for (String d : drop) {
            int cap = parse(d, "--cap-drop", lastCap);
            if (cap < 0) dropAll = true; else dropped.add(cap);
        }
        if (privileged) return all;
        if (dropAll) {
            if (addAll) throw new JrunException("--cap-add ALL and --cap-drop ALL together: give one of them");
            return added;
        }
        Set<Integer> set = new TreeSet<>(addAll ? all : defaults);
        set.removeAll(dropped);
        set.addAll(added);
        return set;
    }
}
