package dev.jrun.oci;

import dev.jrun.errors.JrunException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformTest {
    @Test
    void parsesAndNormalisesAliases() throws JrunException {
        assertEquals(new Platform("linux", "amd64", ""), Platform.parse("linux/x86_64"));
        assertEquals(new Platform("linux", "arm64", ""), Platform.parse("linux/aarch64"));
        assertEquals(new Platform("linux", "arm", "v7"), Platform.parse("linux/armhf"));
        assertEquals(new Platform("linux", "arm64", "v8"), Platform.parse("LINUX/ARM64/8"));
        assertEquals("linux/arm/v6", Platform.parse("linux/arm/v6").toString());
    }

    @Test
    void refusesMalformed() {
        for (String bad : new String[] {"linux", "linux/", "/amd64", "linux/arm/v7/x", ""}) {
            JrunException e = assertThrows(JrunException.class, () -> Platform.parse(bad));
            assertTrue(e.getMessage().contains("os/architecture[/variant]"), e.getMessage());
        }
    }

    @Test
    void hostIsLinuxWithAGoArchitecture() {
        Platform host = Platform.host();
        assertEquals("linux", host.os());
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64")) {
            assertEquals("amd64", host.architecture());
        } else if (arch.equals("aarch64")) {
            assertEquals("arm64", host.architecture());
        }
    }

    @Test
    void variantCompatibility() throws JrunException {
        Platform armV7 = Platform.parse("linux/arm/v7");
        assertEquals(0, armV7.distanceTo(Platform.parse("linux/arm/v7")));
        assertEquals(1, armV7.distanceTo(Platform.parse("linux/arm/v6")));
        assertEquals(-1, armV7.distanceTo(Platform.parse("linux/arm/v8")));
        assertEquals(-1, armV7.distanceTo(Platform.parse("linux/arm64")));
        assertEquals(0, Platform.parse("linux/arm64").distanceTo(Platform.parse("linux/arm64/v8")));
        assertEquals(1, Platform.parse("linux/amd64").distanceTo(Platform.parse("linux/amd64/v3")));
        assertEquals(-1, Platform.parse("linux/amd64/v2").distanceTo(Platform.parse("linux/amd64/v3")));
        assertEquals(-1, Platform.parse("linux/amd64").distanceTo(new Platform("windows", "amd64", "")));
    }
}
