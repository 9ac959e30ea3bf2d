package io.replog.node.server;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection count and the refusal log, with a clock the test moves. */
class ConnectionLimitsTest {
    private final List<String> log = new ArrayList<>();
    private long nanos = 1_000_000_000L;
    private final ConnectionLimits limits = new ConnectionLimits("master", 2, 0, log::add, () -> nanos);

    @Test
    void countsOpenConnectionsAndMakesRoomWhenOneCloses() {
        final EmbeddedChannel a = new EmbeddedChannel();
        final EmbeddedChannel b = new EmbeddedChannel();
        assertTrue(limits.admit(a));
        assertTrue(limits.admit(b));
        assertFalse(limits.admit(new EmbeddedChannel()));
        assertEquals(2, limits.open());
        a.close();
        assertEquals(1, limits.open());
        assertTrue(limits.admit(new EmbeddedChannel()));
        assertFalse(limits.admit(new EmbeddedChannel()), "a refused connection takes no room");
        assertEquals(2, limits.open());
    }

    @Test
    void aStormOfRefusalsIsLoggedAtMostOncePerSecondWithTheCount() {
        limits.admit(new EmbeddedChannel());
        limits.admit(new EmbeddedChannel());
        for (int i = 0; i < 100; i++) {
            assertFalse(limits.admit(new EmbeddedChannel()));
        }
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("master: refused a connection from "), log.get(0));
        assertTrue(log.get(0).contains("--max-connections"), log.get(0));

        nanos += TimeUnit.MILLISECONDS.toNanos(999);
        limits.admit(new EmbeddedChannel());
        assertEquals(1, log.size(), "still within the second");

        nanos += TimeUnit.MILLISECONDS.toNanos(1);
        limits.admit(new EmbeddedChannel());
        assertEquals(2, log.size());
        assertTrue(log.get(1).endsWith("; 100 more refused since the last report"), log.get(1));

        nanos += TimeUnit.SECONDS.toNanos(5);
        limits.admit(new EmbeddedChannel());
        assertEquals(3, log.size());
        assertFalse(log.get(2).contains("more refused"), log.get(2));
    }
}
