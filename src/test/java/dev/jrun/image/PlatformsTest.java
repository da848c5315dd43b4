package dev.jrun.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.oci.Platform;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformsTest {
    @Test
    void platformOrOsArchVariantAsPodman() throws Exception {
        assertEquals(Optional.empty(), Platforms.asked(null, null, null, null));
        assertEquals(Optional.of(new Platform("linux", "arm64", "")), Platforms.asked("linux/arm64", null, null, null));
        assertEquals(Optional.of(new Platform("linux", "arm", "v7")), Platforms.asked(null, null, "arm", "v7"));
        assertEquals(Platform.host().os(), Platforms.asked(null, null, "s390x", null).orElseThrow().os());
        assertEquals(Optional.of(new Platform("linux", "amd64", "")), Platforms.asked(null, null, "x86_64", null));
        JrunException both = assertThrows(JrunException.class, () -> Platforms.asked("linux/amd64", null, "arm64", null));
        assertTrue(both.getMessage().contains("conflicts with --os, --arch and --variant"), both.getMessage());
    }
}
