package dev.jrun.oci;

import dev.jrun.errors.JrunException;

import java.util.List;
import java.util.Locale;

/**
 * An OCI platform (os, architecture, variant) with Go's names, as image indexes use them.
 * {@link #host()} maps {@code os.arch} the way containerd's {@code platforms.DefaultSpec} does.
 */
public record Platform(String os, String architecture, String variant) {
    public Platform {
        variant = variant == null ? "" : variant;
    }

    /** Parses {@code --platform os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    public static Platform parse(String text) throws JrunException {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || List.of(parts).stream().anyMatch(String::isEmpty)) {
            throw new JrunException("invalid platform \"" + text + "\": use os/architecture[/variant],"
                    + " e.g. linux/amd64 or linux/arm/v7");
        }
        return normalize(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT),
                parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : "");
    }

    /** The platform of this JVM's host: Linux, with os.arch mapped to GOARCH. */
    public static Platform host() {
        String arch = System.getProperty("os.arch");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return new Platform("linux", "amd64", "");
            case "aarch64":
            case "arm64":
                return new Platform("linux", "arm64", "v8");
            case "arm":
                // Java does not tell v6 from v7; v7 is what nearly every 32-bit ARM Linux runs.
                return new Platform("linux", "arm", "v7");
            case "x86":
            case "i386":
            case "i686":
                return new Platform("linux", "386", "");
            case "ppc64le":
            case "s390x":
            case "riscv64":
            case "mips64el":
            case "loongarch64":
                return new Platform("linux", arch, "");
            default:
                return new Platform("linux", arch, "");
        }
    }

    /** Aliases containerd accepts (x86_64, aarch64, armhf ...) mapped to the Go names. */
    private static Platform normalize(String os, String arch, String variant) {
        switch (arch) {
            case "x86_64":
            case "x86-64":
                arch = "amd64";
                break;
            case "aarch64":
                arch = "arm64";
                break;
            case "armhf":
                arch = "arm";
                variant = variant.isEmpty() ? "v7" : variant;
                break;
            case "armel":
                arch = "arm";
                variant = variant.isEmpty() ? "v6" : variant;
                break;
            case "i386":
                arch = "386";
                break;
            default:
                break;
        }
        if (arch.equals("arm64") && variant.equals("8")) {
            variant = "v8";
        }
        return new Platform(os, arch, variant);
    }

    /**
     * How well an index entry for {@code candidate} serves this wanted platform: negative if it
     * cannot run here, 0 for an exact match, larger for older compatible variants (arm v7 runs
     * v6 and v5 binaries; an unspecified variant accepts any).
     */
    public int distanceTo(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return -1;
        }
        String want = effectiveVariant(this);
        String have = effectiveVariant(candidate);
        if (want.equals(have)) {
            return 0;
        }
        if (want.isEmpty()) {
            return 1;
        }
        if (architecture.equals("arm") && want.matches("v[5-8]") && have.matches("v[5-8]")) {
            int gap = want.charAt(1) - have.charAt(1);
            return gap > 0 ? gap : -1;
        }
        return -1;
    }

    private static String effectiveVariant(Platform p) {
        // Indexes write arm64 with variant "" or "v8"; they mean the same.
        return p.architecture.equals("arm64") && p.variant.equals("v8") ? "" : p.variant;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
