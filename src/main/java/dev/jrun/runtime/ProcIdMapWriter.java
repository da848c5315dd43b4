package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.UserNamespacePlan;
import dev.jrun.sys.ChildProgram;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real writer: newuidmap(1)/newgidmap(1) for maps of subordinate IDs, or /proc/PID/*_map
 * directly when jrun may (it is root, or maps only its own IDs).
 */
public final class ProcIdMapWriter implements IdMapWriter {
    private final Syscalls sys;

    public ProcIdMapWriter(Syscalls sys) {
        this.sys = sys;
    }

    @Override
    public void write(int pid, UserNamespacePlan plan) throws JrunException {
        switch (plan.writer()) {
            case SETUID_HELPERS -> runHelpers(pid, plan);
            case DIRECT -> writeDirectly(pid, plan);
        }
    }

    private void runHelpers(int pid, UserNamespacePlan plan) throws JrunException {
        // Both helpers at once: each is a setuid process start, the largest cost of a launch.
        // Through jrun's own spawn, not ProcessBuilder: its first use costs a launch tens of
        // milliseconds (classes, a reaper thread, and the JDK's jspawnhelper exec'd first).
        ChildProgram.Started uid = start(plan.newuidmap(), pid, plan.uidMap());
        ChildProgram.Started gid;
        try {
            gid = start(plan.newgidmap(), pid, plan.gidMap());
        } catch (JrunException e) {
            finishQuietly(uid);
            throw e;
        }
        String uidOutput = output(uid);
        String gidOutput = output(gid);
        int uidStatus;
        try {
            uidStatus = waitFor(uid);
        } catch (JrunException e) {
            reapQuietly(gid);
            throw e;
        }
        int gidStatus = waitFor(gid);
        check(uidStatus, uidOutput, plan.newuidmap(), pid, plan.uidMap(), "/etc/subuid");
        check(gidStatus, gidOutput, plan.newgidmap(), pid, plan.gidMap(), "/etc/subgid");
    }

    private ChildProgram.Started start(Path helper, int pid, IdMap map) throws JrunException {
        List<String> argv = new ArrayList<>();
        argv.add(helper.toString());
        argv.add(Integer.toString(pid));
        argv.addAll(map.helperArgs());
        try {
            return ChildProgram.start(sys, argv, List.of(), true, false);
        } catch (SysException e) {
            throw new JrunException("run " + helper + ": " + e.getMessage()
                    + (ChildProgram.notInstalled(e) ? "; install it with: apt-get install uidmap" : ""), e);
        }
    }

    /** Everything the helper wrote (stdout and stderr), until it closed the pipe by exiting. */
    private String output(ChildProgram.Started child) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = sys.read(child.output(), buf)) > 0) {
                if (out.size() < 65536) out.write(buf, 0, n);
            }
        } catch (SysException e) {
            out.writeBytes(("(reading its output: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8));
        } finally {
            sys.close(child.output());
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private int waitFor(ChildProgram.Started child) throws JrunException {
        try {
            int status = sys.waitpid(child.pid());
            return ExitStatus.of(status);
        } catch (SysException e) {
            throw new JrunException("wait for an ID map helper (PID " + child.pid() + "): " + e.getMessage(), e);
        }
    }

    private void finishQuietly(ChildProgram.Started child) {
        output(child);
        reapQuietly(child);
    }

    private void reapQuietly(ChildProgram.Started child) {
        try {
            sys.waitpid(child.pid());
        } catch (SysException ignored) {
            // gone already
        }
    }

    private static void check(int status, String output, Path helper, int pid, IdMap map, String file) throws JrunException {
        if (status != 0) {
            throw new JrunException(helper.getFileName() + " " + pid + " " + String.join(" ", map.helperArgs())
                    + " failed (exit " + status + "): " + output + "; check your ranges in " + file
                    + " (they must be yours and must not overlap)");
        }
    }

    private static void writeDirectly(int pid, UserNamespacePlan plan) throws JrunException {
        Path proc = Path.of("/proc", Integer.toString(pid));
        // user_namespaces(7): an unprivileged writer of gid_map must deny setgroups first, or a
        // process could drop a group that a file's permissions were denying it (CVE-2014-8989).
        if (!plan.setgroupsAllowed()) writeProc(proc.resolve("setgroups"), "deny");
        writeProc(proc.resolve("uid_map"), plan.uidMap().procText());
        writeProc(proc.resolve("gid_map"), plan.gidMap().procText());
    }

    private static void writeProc(Path file, String content) throws JrunException {
        try {
            // The kernel takes a map only in a single write(2).
            Files.write(file, content.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new JrunException("write " + file + " (" + content.strip().replace('\n', ',') + "): "
                    + e.getMessage(), e);
        }
    }
}
