package dev.jrun.seccomp;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SeccompProgram;
import dev.jrun.sys.Syscalls;
import dev.jrun.sys.SysException;

/** A profile compiled for one container: the program the child loads and where it came from. */
public record SeccompFilter(SeccompProgram program, String source) {

    /** Parses, resolves for {@code target} and compiles with libseccomp. */
    public static SeccompFilter compile(ProfileLocator.Located profile, ProfileResolver.Target target, Syscalls sys)
            throws JrunException {
        SeccompProfile parsed = SeccompProfile.parse(profile.json(), profile.source());
        try {
            return new SeccompFilter(sys.compileSeccomp(ProfileResolver.resolve(parsed, target)), profile.source());
        } catch (SysException e) {
            throw new JrunException("compile the seccomp profile " + profile.source() + ": " + e.getMessage()
                    + "; check the profile, or run with --security-opt seccomp=unconfined", e);
        }
    }
}
