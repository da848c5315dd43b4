package dev.jrun.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jrun.errors.JrunException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageConfigTest {
    private static ImageConfig parse(String config) throws JrunException {
        return ImageConfig.parse(("{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]},\"config\":" + config + "}").getBytes(StandardCharsets.UTF_8), "test image");
    }

    @Test
    void exposedPortsAreTheKeysOfConfigExposedPortsForPublishAll() throws Exception {
        assertEquals(List.of("80/tcp", "53/udp"),
                parse("{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}}").defaults().exposedPorts());
        assertEquals(List.of(), parse("{}").defaults().exposedPorts());
        assertThrows(JrunException.class, () -> parse("{\"ExposedPorts\":[\"80/tcp\"]}"));
    }
}
