package io.replog.node.secondary;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.LogFullException;
import io.replog.node.log.MemoryLogStore;
import io.replog.protocol.EntryRun;
import io.replog.protocol.Replicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The secondary's apply: idempotent, contiguous prefix only, bounded out-of-order buffer, one log at a time. */
class ReplicaLogTest {
    private static final long LOG_ID = 0x5eedL;

    private final List<ReplicaLog> replicas = new ArrayList<>();

    @AfterEach
    void close() {
        replicas.forEach(r -> {
            r.close();
            r.store().close();
        });
    }

    private ReplicaLog replica(final long maxBytes) {
        final ReplicaLog r = new ReplicaLog(new MemoryLogStore(1 << 20, maxBytes, 0));
        replicas.add(r);
        return r;
    }

    /** Applies one REPLICATE of {@code payloads} starting at {@code firstId}, releasing it like the node does. */
    private static long apply(final ReplicaLog replica, final long logId, final long firstId,
                              final byte[]... payloads) {
        final ByteBuf run = Unpooled.buffer();
        for (final byte[] p : payloads) {
            EntryRun.writeEntry(run, p);
        }
        final Replicate frame = new Replicate(1, logId, firstId, payloads.length, 1, run);
        try {
            return replica.apply(frame);
        } finally {
            frame.release();
        }
    }

    /** Like {@link #apply} for entries written in {@code epoch} (0 entries: a probe of the master of that epoch). */
    private static long applyIn(final ReplicaLog replica, final long epoch, final long firstId,
                                final String... texts) {
        final ByteBuf run = Unpooled.buffer();
        for (final String t : texts) {
            EntryRun.writeEntry(run, text(t));
        }
        final Replicate frame = new Replicate(1, LOG_ID, firstId, texts.length, epoch, run);
        try {
            return replica.apply(frame);
        } finally {
            frame.release();
        }
    }

    private static java.util.List<String> texts(final ReplicaLog replica) {
        final java.util.List<String> out = new java.util.ArrayList<>();
        long next = 1;
        while (next <= replica.lastId()) { // a read stops where the epoch changes
            final io.replog.node.log.EntryRange range = replica.store().read(next, 1000, 1 << 20);
            EntryRun.forEach(range.run(), range.count(), (i, p) -> out.add(p.toString(StandardCharsets.UTF_8)));
            range.run().release();
            next += range.count();
        }
        return out;
    }

    @Test
    void entriesOfAnotherEpochAtTheSameMsgIdsAreCutAndReplacedByTheMastersAndKeptFirst() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        final java.util.List<long[]> cuts = new java.util.ArrayList<>();
        r.cutListener((from, to) -> cuts.add(new long[] {from, to}));
        applyIn(r, 1, 1, "a", "b", "c");
        applyIn(r, 2, 4, "x", "y"); // written by the master of epoch 2, lost by it
        assertEquals(7, applyIn(r, 3, 3, "c", "d", "e", "f", "g"), "... yet epoch 3 has msg_ids 3..7");
        assertEquals(java.util.List.of("a", "b", "c", "d", "e", "f", "g"), texts(r));
        assertEquals(1, cuts.size());
        assertEquals(3, cuts.get(0)[0], "cut from the first msg_id whose epoch differs: 3 is of epoch 1 here");
        assertEquals(5, cuts.get(0)[1]);
        assertEquals(3, r.store().epochAt(3));
    }

    @Test
    void entriesKeptAsideAreDroppedWhenANewMasterProbes() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        applyIn(r, 1, 0 + 1, "a");
        applyIn(r, 1, 3, "stale"); // waits for 2, from the master of epoch 1
        assertEquals(1, r.aheadCount());
        applyIn(r, 2, 2); // the probe of a new master, epoch 2
        assertEquals(0, r.aheadCount(), "it may not be in the new master's log");
        assertEquals(3, applyIn(r, 2, 2, "b", "c"));
        assertEquals(java.util.List.of("a", "b", "c"), texts(r));
    }

    private static byte[] text(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void appliesInOrderIgnoresDuplicatesAndShowsOnlyTheContiguousPrefix() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        assertEquals(2, apply(r, LOG_ID, 1, text("a"), text("b")));
        assertEquals(LOG_ID, r.logId(), "an empty replica takes the first log it is sent");
        assertEquals(2, apply(r, LOG_ID, 1, text("a"), text("b")), "duplicates ignored");
        assertEquals(2, apply(r, LOG_ID, 4, text("d")), "4 waits for 3");
        assertEquals(1, r.aheadCount());
        assertEquals(4, apply(r, LOG_ID, 3, text("c")));
        assertEquals(0, r.aheadCount());
        assertEquals(0, r.aheadBytes());
    }

    @Test
    void anotherLogIsRefusedOnceEntriesAreHeld() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        apply(r, LOG_ID, 1, text("a"));
        assertEquals(ReplicaLog.MISMATCH, apply(r, 0xbadL, 1, text("x")));
        assertEquals(1, r.lastId());
        assertEquals(LOG_ID, r.logId());
    }

    @Test
    void entriesTooFarAheadAreDroppedForTheMasterToResend() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        apply(r, LOG_ID, 1, text("a"));
        apply(r, LOG_ID, 2 + ReplicaLog.MAX_AHEAD_IDS, text("far"));
        assertEquals(0, r.aheadCount(), "beyond the window past the prefix");
        apply(r, LOG_ID, 1 + ReplicaLog.MAX_AHEAD_IDS, text("near"));
        assertEquals(1, r.aheadCount(), "at the edge of the window");
    }

    @Test
    void bytesKeptAsideAreBounded() {
        final ReplicaLog r = replica(Long.MAX_VALUE);
        final byte[] big = new byte[(int) (ReplicaLog.MAX_AHEAD_BYTES / 4)];
        for (int i = 0; i < 5; i++) {
            apply(r, LOG_ID, 10 + i, big);
        }
        assertEquals(4, r.aheadCount(), "the fifth would pass the byte bound");
        assertEquals(ReplicaLog.MAX_AHEAD_BYTES, r.aheadBytes());
    }

    @Test
    void aFullLogWhileFillingTheGapReleasesWhatWasKeptAside() {
        // room for 2 entries of 1 byte (5 bytes each with their length)
        final ReplicaLog r = replica(10);
        apply(r, LOG_ID, 3, text("c"));
        assertThrows(LogFullException.class, () -> apply(r, LOG_ID, 1, text("a"), text("b")),
            "1 and 2 fit, 3 (kept aside) does not");
        assertEquals(2, r.lastId());
        assertEquals(0, r.aheadCount());
        // the leak check (PARANOID) fails this test if the entry taken out for 3 was not released
    }
}
