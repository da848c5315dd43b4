package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.UserNamespacePlan;
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

    @Override
    public void write(int pid, UserNamespacePlan plan) throws JrunException {
        switch (plan.writer()) {
            case SETUID_HELPERS -> runHelpers(pid, plan);
            case DIRECT -> writeDirectly(pid, plan);
        }
    }

    private static void runHelpers(int pid, UserNamespacePlan plan) throws JrunException {
        // Both helpers at once: each is a setuid process start, the largest cost of a launch.
        Process uid = start(plan.newuidmap(), pid, plan.uidMap());
        Process gid = start(plan.newgidmap(), pid, plan.gidMap());
        finish(uid, plan.newuidmap(), pid, plan.uidMap(), "/etc/subuid");
        finish(gid, plan.newgidmap(), pid, plan.gidMap(), "/etc/subgid");
    }

    private static Process start(Path helper, int pid, IdMap map) throws JrunException {
        List<String> cmd = new ArrayList<>();
        cmd.add(helper.toString());
        cmd.add(Integer.toString(pid));
        cmd.addAll(map.helperArgs());
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new JrunException("run " + helper + ": " + e.getMessage() + "; install it with: apt-get install uidmap", e);
        }
    }

    private static void finish(Process p, Path helper, int pid, IdMap map, String file) throws JrunException {
        String output;
        int status;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            status = p.waitFor();
        } catch (IOException e) {
            throw new JrunException("run " + helper + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunException("interrupted while running " + helper, e);
        }
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
