package io.replog.node.master;

import io.netty.buffer.Unpooled;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.ReplySink;
import io.replog.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commit points from positions the tracker keeps itself; waiting appends leave it the moment they are answered. */
class WriteConcernTrackerTest {
    private final List<AppendRequest> ok = new ArrayList<>();
    private final List<AppendRequest> failed = new ArrayList<>();
    private final ReplySink sink = new ReplySink() {
        @Override
        public void appended(final AppendRequest request) {
            ok.add(request);
        }

        @Override
        public void failed(final AppendRequest request) {
            failed.add(request);
        }
    };

    /** An append already stored as {@code msgId} at time {@code nowNanos}. */
    private AppendRequest stored(final long msgId, final int w, final long timeoutMs, final long nowNanos) {
        final AppendRequest r = new AppendRequest(sink, msgId, w, timeoutMs, Unpooled.EMPTY_BUFFER);
        r.takePayload();
        r.assigned(msgId, nowNanos);
        return r;
    }

    /** A tracker whose master holds everything durably: the secondaries decide. */
    private static WriteConcernTracker masterDurable(final WriteConcernTracker tracker) {
        tracker.onDurable(1_000);
        return tracker;
    }

    @Test
    void theMastersOwnCopyCountsOnlyOnceDurable() {
        final WriteConcernTracker tracker = new WriteConcernTracker(1);
        final AppendRequest w1 = stored(1, 1, 0, 0);
        final AppendRequest w2 = stored(2, 2, 0, 0);
        tracker.await(List.of(w1, w2));
        assertEquals(List.of(), ok, "stored, not durable yet: not even w=1 is met");
        tracker.onDurable(2);
        assertEquals(List.of(w1), ok, "durable on the master: w=1 met, w=2 waits for the secondary");
        assertEquals(2, tracker.committed(1));
        assertEquals(0, tracker.committed(2));
        tracker.onAck(0, 2);
        assertEquals(List.of(w1, w2), ok);
    }

    @Test
    void eachWIsAnsweredAtItsOwnCommitPoint() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(3));
        final AppendRequest w2 = stored(1, 2, 0, 0);
        final AppendRequest w3 = stored(2, 3, 0, 0);
        final AppendRequest w4 = stored(3, 4, 0, 0);
        tracker.await(List.of(w2, w3, w4));
        assertEquals(3, tracker.waiting());
        tracker.onAck(1, 3); // one secondary has all three: w=2 is met for msg 1 (and 2 and 3)
        assertEquals(List.of(w2), ok);
        tracker.onAck(2, 2); // a second one has 1..2: w=3 met for msg 2
        assertEquals(List.of(w2, w3), ok);
        assertEquals(3, tracker.committed(2));
        assertEquals(2, tracker.committed(3));
        assertEquals(0, tracker.committed(4));
        tracker.onAck(0, 3);
        assertEquals(List.of(w2, w3), ok, "two of three secondaries hold msg 3: not enough for w=4");
        tracker.onAck(2, 3);
        assertEquals(List.of(w2, w3, w4), ok);
        assertEquals(0, tracker.waiting());
    }

    @Test
    void aPositionMayGoDownAndThenCountsNoMore() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(2));
        tracker.onAck(0, 10);
        tracker.onAck(1, 10);
        assertEquals(10, tracker.committed(3));
        tracker.onAck(1, 0); // restarted empty, or holds another log
        assertEquals(0, tracker.committed(3));
        final AppendRequest w3 = stored(5, 3, 0, 0);
        tracker.await(List.of(w3));
        assertTrue(ok.isEmpty(), "only one secondary holds msg 5 now");
        tracker.onAck(1, 5);
        assertEquals(List.of(w3), ok);
    }

    @Test
    void aTimedOutAppendLeavesAtOnceAndIsNeverCountedAgain() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(2));
        final List<AppendRequest> batch = new ArrayList<>();
        for (int i = 1; i <= 2_400; i++) {
            batch.add(stored(i, 3, 1, 0)); // 1 ms timeout, a dead secondary: never met
        }
        tracker.await(batch);
        assertEquals(2_400, tracker.waiting());
        assertEquals(2_400, tracker.expire(2_000_000L));
        assertEquals(0, tracker.waiting(), "answered appends are not waiting any more");
        assertEquals(Long.MAX_VALUE, tracker.nextDeadline());
        assertEquals(2_400, failed.size());
        assertEquals(ErrorCode.TIMEOUT, failed.get(0).errorCode());
        assertEquals("Got only 1 ACKs (required 3)", failed.get(0).errorText());
        tracker.onAck(0, 2_400);
        tracker.onAck(1, 2_400);
        assertTrue(ok.isEmpty(), "a timed-out append is never answered twice");
    }

    @Test
    void anAppendAnsweredByItsWriteConcernLeavesTheDeadlineHeapToo() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(1));
        tracker.await(List.of(stored(1, 2, 1_000, 0), stored(2, 2, 5_000, 0)));
        assertEquals(1_000_000_000L, tracker.nextDeadline());
        tracker.onAck(0, 1);
        assertEquals(5_000_000_000L, tracker.nextDeadline(), "msg 1 was answered: its deadline is gone");
        assertEquals(0, tracker.expire(4_000_000_000L));
        assertEquals(1, tracker.waiting());
    }

    @Test
    void aResentOlderAppendWaitsInItsPlaceAndIsAnsweredWithItsFirstMsgId() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(1));
        final AppendRequest newer = stored(9, 2, 0, 0);
        tracker.await(List.of(newer));
        final AppendRequest resent = stored(4, 2, 0, 0); // a tagged re-send of msg 4, after msg 9 was appended
        tracker.await(List.of(resent));
        tracker.onAck(0, 5);
        assertEquals(List.of(resent), ok, "msg 4 has its copies; msg 9 does not");
        assertEquals(1, tracker.waiting());
    }

    @Test
    void failAllAnswersEverythingSayingWhatWasStored() {
        final WriteConcernTracker tracker = masterDurable(new WriteConcernTracker(2));
        tracker.await(List.of(stored(7, 3, 100, 0)));
        tracker.failAll(ErrorCode.SHUTTING_DOWN, "the master is shutting down");
        assertEquals(0, tracker.waiting());
        assertEquals(Long.MAX_VALUE, tracker.nextDeadline());
        assertEquals("the master is shutting down; the message is stored as msg_id 7 but w=3 was not reached yet",
            failed.get(0).errorText());
    }
}
