package dev.jrun.image;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.Platform;
import java.util.Optional;

/** podman's --platform, --os, --arch and --variant, turned into the platform a run asks for. */
public final class Platforms {
    private Platforms() {}

    /** The platform asked for, or empty when none of the options was given (then: the host's, any stored image). */
    public static Optional<Platform> asked(String platform, String os, String arch, String variant)
            throws JrunException {
        if (platform != null) {
            if (os != null || arch != null || variant != null) {
                throw new JrunException("--platform " + platform + " conflicts with --os, --arch and --variant; give "
                        + "either --platform OS/ARCH[/VARIANT] or those (as podman)");
            }
            return Optional.of(Platform.parse(platform));
        }
        if (os == null && arch == null && variant == null) return Optional.empty();
        Platform host = Platform.host();
        String a = arch != null ? arch : host.architecture();
        String v = variant != null ? variant : arch != null ? "" : host.variant();
        return Optional.of(Platform.parse((os != null ? os : host.os()) + "/" + a + (v.isEmpty() ? "" : "/" + v)));
    }
}
