package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.log.VoteFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower stages the master's entries as runs (one copy per epoch) and a master sends what it just appended from
 * its ring of recent entries: what either reads back is what was appended, by index, whether it comes from the ring
 * or from the log (after a restart, which empties the ring), and a cut log never serves the entries it dropped.
 */
class LogReplicaStorageRunTest {
    @TempDir
    Path dir;

    private static PeerEntry message(final long epoch, final int b, final long clientId, final long seq) {
        return PeerEntry.message(epoch, new byte[] {(byte) b, (byte) (b >> 8)}, clientId, seq);
    }

    private static void assertSame(final List<PeerEntry> expected, final List<PeerEntry> actual) {
        assertEquals(expected.size(), actual.size(), "entries read back");
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(expected.get(i).equals(actual.get(i)), "index " + (i + 1) + ": appended " + expected.get(i)
                + ", read " + actual.get(i));
        }
    }

    @Test
    void aRunAcrossEpochsAndMarksReadsBackAsAppendedFromTheRingAndFromTheLog() {
        final MemoryLogStore log = new MemoryLogStore();
        // a follower's run: epoch 1's mark and messages (one tagged), epoch 2's messages without a mark (as in a log
        // written before marks existed), epoch 3's mark and messages
        final List<PeerEntry> run = List.of(PeerEntry.epochStart(1), message(1, 1, 0, 0), message(1, 2, 7, 1),
            message(2, 3, 0, 0), PeerEntry.epochStart(3), message(3, 4, 7, 2), message(3, 5, 0, 0));
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            storage.appendAll(run);
            storage.sync();
            assertEquals(run.size(), storage.lastId());
            assertEquals(5, log.lastId(), "two marks take no msg_id");
            assertSame(run, storage.entries(1, run.size(), Long.MAX_VALUE, 0));
            assertEquals(2, storage.epochAt(4));
            assertEquals(3, storage.epochAt(7));
        }
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            assertSame(run, storage.entries(1, run.size(), Long.MAX_VALUE, 0)); // from the log and the tag file
        }
    }

    /**
     * A log written without a vote file (by fixed roles before the engine ran them, or a data directory whose vote
     * file is gone): the node's epoch is never below the epochs its log holds, so a static master restarted over it
     * enters a new epoch above them (it used to enter one its entries carried, and its log refused the mark).
     */
    @Test
    void theSavedEpochIsNeverBelowAnEpochTheLogHolds() {
        final MemoryLogStore log = new MemoryLogStore();
        log.startEpoch(3);
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            assertEquals(3, storage.savedEpoch(), "an epoch the log started");
            storage.appendAll(List.of(message(4, 1, 0, 0)));
            storage.sync();
            assertEquals(4, storage.savedEpoch(), "an epoch its entries carry");
            storage.saveVote(6, 1);
            assertEquals(6, storage.savedEpoch(), "the vote file's, when higher");
        }
    }

    @Test
    void aCutLogServesWhatWasAppendedAfterTheCutNotWhatWasCut() {
        final MemoryLogStore log = new MemoryLogStore();
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            storage.append(PeerEntry.epochStart(1));
            for (int i = 1; i <= 4; i++) {
                storage.append(message(1, i, 0, 0));
            }
            storage.sync();
            storage.truncateAfter(2);
            final PeerEntry big = PeerEntry.message(2, new byte[RecentEntries.MAX_BYTES + 1], 0, 0);
            storage.appendAll(List.of(PeerEntry.epochStart(2), big, message(2, 9, 0, 0)));
            storage.sync();
            final List<PeerEntry> read = storage.entries(3, 3, Long.MAX_VALUE, 0);
            assertSame(List.of(PeerEntry.epochStart(2), big, message(2, 9, 0, 0)), read);
        }
    }
}
