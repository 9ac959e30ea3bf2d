package io.replog.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** host:port as flags carry it, and as logs and messages show it. */
class HostPortTest {
    @Test
    void parsesHostAndPortWithoutResolving() {
        final InetSocketAddress a = HostPort.parse(" replog-secondary-1:7001 ");
        assertTrue(a.isUnresolved());
        assertEquals("replog-secondary-1", a.getHostString());
        assertEquals(7001, a.getPort());
        assertEquals(7000, HostPort.parse("[::1]:7000").getPort());
        assertEquals(0, HostPort.parse("h:0").getPort());
        assertEquals(65_535, HostPort.parse("h:65535").getPort());
    }

    @Test
    void refusesWhatIsNotHostColonPort() {
        assertEquals("expected host:port, got '7000'",
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse("7000")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(":7000"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:"));
        assertEquals("bad port in 'host:x'",
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:65536"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:-1"));
    }

    /** Never the JDK's "127.0.0.1/<unresolved>:7002". */
    @Test
    void formatsAsAPersonWritesIt() {
        assertEquals("127.0.0.1:7002", HostPort.format(HostPort.parse("127.0.0.1:7002")));
        assertEquals("127.0.0.1:7002", HostPort.format(new InetSocketAddress("127.0.0.1", 7002)));
        assertEquals("[::1]:7000", HostPort.format(InetSocketAddress.createUnresolved("::1", 7000)));
        assertEquals("[::1]:7000", HostPort.format(HostPort.parse("[::1]:7000")));
        assertFalse(HostPort.format(HostPort.parse("db:1")).contains("unresolved"));
    }
}
