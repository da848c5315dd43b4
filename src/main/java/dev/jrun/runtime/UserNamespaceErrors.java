package dev.jrun.runtime;

import static dev.jrun.sys.Linux.*;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.file.Path;

/** Why the kernel would not make a user namespace, naming the setting to change. */
final class UserNamespaceErrors {
    private UserNamespaceErrors() {}

    static JrunException cloneFailed(int errno, String reason) {
        String prefix = "create the container's namespaces: " + reason + ": ";
        if (errno == EPERM || errno == EACCES) {
            if ("0".equals(sysctl("kernel/unprivileged_userns_clone"))) {
                return new JrunException(prefix + "unprivileged user namespaces are disabled by the sysctl "
                        + "kernel.unprivileged_userns_clone=0; enable them as root: sysctl -w kernel.unprivileged_userns_clone=1");
            }
            if ("1".equals(sysctl("kernel/apparmor_restrict_unprivileged_userns"))) {
                return new JrunException(prefix + "AppArmor restricts unprivileged user namespaces "
                        + "(kernel.apparmor_restrict_unprivileged_userns=1); as root, set it to 0 or give java an "
                        + "AppArmor profile with 'userns,'");
            }
            return new JrunException(prefix + "the kernel refused a new user namespace; if jrun runs inside a "
                    + "container or sandbox, its seccomp filter may forbid it");
        }
        if (errno == ENOSPC) {
            String limit = sysctlOr("user/max_user_namespaces", "?");
            if ("0".equals(limit)) {
                return new JrunException(prefix + "user namespaces are disabled: user.max_user_namespaces is 0; "
                        + "enable them as root: sysctl -w user.max_user_namespaces=15000");
            }
            return new JrunException(prefix + "no user namespace may be created here: user.max_user_namespaces ("
                    + limit + " in this namespace) or the limit of an enclosing one is used up, as in a sandbox that "
                    + "forbids nested user namespaces (bwrap --disable-userns); run jrun outside it, or raise the "
                    + "limit as root: sysctl -w user.max_user_namespaces=15000");
        }
        if (errno == EUSERS) {
            return new JrunException(prefix + "user namespaces are nested too deeply (the kernel allows 32)");
        }
        if (errno == EINVAL) {
            return new JrunException(prefix + "this kernel lacks one of the namespaces jrun needs "
                    + "(user, mount, PID, UTS, IPC, network); check its configuration (CONFIG_USER_NS...)");
        }
        return new JrunException(prefix + "the system may be short of memory or processes (ulimit -u)");
    }

    private static String sysctlOr(String name, String fallback) {
        String v = sysctl(name);
        return v == null ? fallback : v;
    }

    private static String sysctl(String name) {
        try {
            return HostEnvironment.procLine(Path.of("/proc/sys", name));
        } catch (IOException e) {
            return null;
        }
    }
}
