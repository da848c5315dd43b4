package dev.jrun.seccomp;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.SeccompProgram;
import dev.jrun.sys.Syscalls;
import dev.jrun.sys.SysException;
import java.util.Optional;

/** A profile compiled for one container: the program the child loads and where it came from. */
public record SeccompFilter(SeccompProgram program, String source) {

    /** Parses, resolves for {@code target} and compiles with libseccomp, or takes the program from the cache. */
    public static SeccompFilter compile(ProfileLocator.Located profile, ProfileResolver.Target target, Syscalls sys,
                                        FilterCache cache) throws JrunException {
        byte[] json = profile.json();
        String key = FilterCache.key(json, target);
        Optional<SeccompProgram> cached = cache.get(key);
        if (cached.isPresent()) return new SeccompFilter(cached.get(), profile.source());
        SeccompProfile parsed = SeccompProfile.parse(json, profile.source());
        SeccompProgram program;
        try {
            program = sys.compileSeccomp(ProfileResolver.resolve(parsed, target));
        } catch (SysException e) {
            throw new JrunException("compile the seccomp profile " + profile.source() + ": " + e.getMessage()
                    + "; check the profile, or run with --security-opt seccomp=unconfined", e);
        }
        cache.put(key, program);
        return new SeccompFilter(program, profile.source());
    }
}
