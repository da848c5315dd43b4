package dev.jrun.registry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTransportTest {
    @Test
    void dockerHubIsServedAtRegistry1() {
        assertEquals("registry-1.docker.io", RegistryTransport.apiHost("docker.io"));
        assertEquals("quay.io", RegistryTransport.apiHost("quay.io"));
        assertEquals("127.0.0.1:5000", RegistryTransport.apiHost("127.0.0.1:5000"));
    }

    @Test
    void loopbackHosts() {
        assertTrue(RegistryTransport.isLoopback("localhost:5000"));
        assertTrue(RegistryTransport.isLoopback("127.0.0.1"));
        assertTrue(RegistryTransport.isLoopback("127.1.2.3:80"));
        assertTrue(RegistryTransport.isLoopback("[::1]:5000"));
        assertFalse(RegistryTransport.isLoopback("127.example.com"));
        assertFalse(RegistryTransport.isLoopback("10.0.0.1:5000"));
    }
}
