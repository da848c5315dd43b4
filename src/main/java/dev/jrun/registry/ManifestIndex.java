package dev.jrun.registry;

import dev.jrun.oci.Digest;
import dev.jrun.oci.Platform;

import dev.jrun.errors.JrunException;

import java.util.List;
import java.util.stream.Collectors;

/** An OCI image index or Docker manifest list: one manifest per platform. */
public record ManifestIndex(String mediaType, Digest digest, List<Descriptor> manifests) implements Manifest {
    public ManifestIndex {
        manifests = List.copyOf(manifests);
    }

    /**
     * The entry that best serves {@code wanted}: an exact variant before an older compatible one,
     * the earlier entry on a tie (the index's order is the publisher's preference).
     *
     * @param what the reference, for the error message
     */
    public Descriptor select(Platform wanted, String what) throws JrunException {
        Descriptor best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Descriptor entry : manifests) {
            if (entry.platform() == null || !MediaTypes.IMAGE_MANIFESTS.contains(entry.mediaType())) {
                continue;
            }
            int distance = wanted.distanceTo(entry.platform());
            if (distance >= 0 && distance < bestDistance) {
                best = entry;
                bestDistance = distance;
            }
        }
        if (best == null) {
            throw new JrunException(what + " has no image for platform " + wanted + "; it has "
                    + availablePlatforms() + "; choose one of those with --platform os/arch[/variant]");
        }
        return best;
    }

    /** The platforms on offer, without attestation entries (unknown/unknown). */
    public String availablePlatforms() {
        String list = manifests.stream()
                .filter(d -> d.platform() != null && !"unknown".equals(d.platform().os()))
                .map(d -> d.platform().toString())
                .distinct()
                .collect(Collectors.joining(", "));
        return list.isEmpty() ? "no platforms listed" : list;
    }
}
