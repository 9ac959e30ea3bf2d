package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.replog.node.consensus.ReplicaFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small parts of the consensus core: entries, settings, and how a store reads a batch by default. */
class ReplicaPartsTest {
    @Test
    void entriesAreTheSameByContent() {
        final PeerEntry a = PeerEntry.message(2, bytes("hi"), 7, 1);
        assertTrue(a.equals(PeerEntry.message(2, bytes("hi"), 7, 1)));
        assertTrue(a.tagged());
        assertFalse(PeerEntry.message(2, bytes("hi"), 0, 0).tagged());
        for (final PeerEntry other : List.of(PeerEntry.message(3, bytes("hi"), 7, 1), PeerEntry.message(2, bytes("ho"), 7, 1),
            PeerEntry.message(2, bytes("hi"), 8, 1), PeerEntry.message(2, bytes("hi"), 7, 2), PeerEntry.epochStart(2))) {
            assertFalse(a.equals(other), other.toString());
        }
        assertFalse(a.equals(null));
        assertTrue(PeerEntry.epochStart(4).equals(PeerEntry.epochStart(4)));
        assertFalse(PeerEntry.epochStart(4).equals(PeerEntry.message(4, new byte[0])));
        assertEquals(0, PeerEntry.epochStart(4).payload().length);
    }

    @Test
    void settingsRefuseTimingsThatCannotWork() {
        new ReplicaSettings(2, 3, 1, 1, 1, 1);
        for (final long[] t : new long[][] {{0, 3, 1}, {3, 3, 1}, {3, 2, 1}, {4, 9, 0}, {4, 9, 5}}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReplicaSettings(t[0], t[1], t[2], 1, 1, 1), java.util.Arrays.toString(t));
            assertTrue(e.getMessage().startsWith(t[2] == 1 || t[0] == 0 ? "election timeout" : "heartbeat"),
                e.getMessage());
        }
        for (final int[] bounds : new int[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}) {
            assertThrows(IllegalArgumentException.class,
                () -> new ReplicaSettings(150, 300, 50, bounds[0], bounds[1], bounds[2]));
        }
        // where nodes elect their master, a heartbeat above half the shortest election timeout is refused too
        final ReplicaSettings slowHeartbeat = new ReplicaSettings(4, 9, 3, 1, 1, 1);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            slowHeartbeat::requireElectable);
        assertTrue(e.getMessage().startsWith("heartbeat 3 ms must be positive and at most half"), e.getMessage());
        final ReplicaSettings defaults = ReplicaSettings.defaults();
        assertEquals(new ReplicaSettings(150, 300, 50, 1024, 100_000, 1 << 20), defaults);
        assertEquals(new ReplicaSettings(150, 300, 50, 1024, 100_000, 77), defaults.withMaxBatchBytes(77));
    }

    @Test
    void aStoreReadsABatchUpToItsCountAndItsBytesButAlwaysTheFirstEntry() {
        final SimDisk disk = new SimDisk(1, new SimDisk.Watcher() {
            @Override
            public void written(final int node, final long id, final PeerEntry entry) {
            }

            @Override
            public void cut(final int node, final long id, final PeerEntry entry) {
            }
        }, () -> { });
        for (int i = 1; i <= 5; i++) {
            disk.append(PeerEntry.message(1, new byte[10 * i], 0, 0));
        }
        // sizes with 4 bytes of overhead each: 14, 24, 34, 44, 54
        assertEquals(List.of(20, 30), sizes(disk.entries(2, 4, 24 + 34, 4)), "exactly the budget");
        assertEquals(List.of(20), sizes(disk.entries(2, 4, 24 + 34 - 1, 4)), "one byte short of two");
        assertEquals(List.of(20, 30, 40), sizes(disk.entries(2, 3, 1000, 4)), "at most the count");
        assertEquals(List.of(50), sizes(disk.entries(5, 1, 1, 4)), "the first goes whatever its size");
        assertEquals(List.of(10, 20), sizes(disk.entries(1, 5, 14 + 24, 4)));
    }

    private static List<Integer> sizes(final List<PeerEntry> entries) {
        return entries.stream().map(e -> e.payload().length).toList();
    }
}
