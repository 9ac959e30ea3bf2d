package io.replog.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code host:port} of flags and environment variables: the edges of what parses, what the refusals say, and how
 * logs and messages show an address.
 */
class HostPortTest {
    private static String refusal(final String text) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text)).getMessage();
    }

    @Test
    void aHostAndAPortWithinTheirRangeParseUnresolved() {
        final InetSocketAddress address = HostPort.parse("  replog-1:0 ");
        assertEquals("replog-1", address.getHostString());
        assertEquals(0, address.getPort());
        assertTrue(address.isUnresolved(), "resolved when connecting");
        assertEquals(65_535, HostPort.parse("h:65535").getPort());
        assertEquals("::1", HostPort.parse("::1:7000").getHostString(), "the last colon separates the port");
        assertEquals("h", HostPort.parse("h:1").getHostString(), "a one-letter host");
    }

    @Test
    void aMissingHostOrPortIsNamedAsSuch() {
        assertEquals("expected host:port, got ':7000'", refusal(":7000"));
        assertEquals("expected host:port, got 'replog-1:'", refusal("replog-1:"));
        assertEquals("expected host:port, got 'replog-1'", refusal("replog-1"));
        assertEquals("bad port in 'replog-1:http'", refusal("replog-1:http"));
    }

    @Test
    void aPortOutsideSixteenBitsIsRefused() {
        assertEquals("port of h:65536 must be within 0..65535, got 65536", refusal("h:65536"));
        assertEquals("port of h:-1 must be within 0..65535, got -1", refusal("h:-1"));
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
