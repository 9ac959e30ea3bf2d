package io.replog.node.consensus;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A master's write concern and commit point: the appends waiting for their w ({@link WriteConcernWaiters}), the
 * commit point (a majority holds it, and an entry of the master's own epoch among them: Raft §5.4.2), and which
 * waiting appends are answered when the peers' durable positions or its own move. Part of {@link Replica}: same
 * thread; it reads the peers' positions from {@link LeaderReplication} and sets the replica's commit point.
 */
final class CommitTracker {
    /** How often a master looks for waiting appends whose clients left. */
    static final long ABANDONED_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Replica r;
    private final WriteConcernWaiters waiters;
    /** What each node (this one first) holds as w counts it, sorted ascending by {@link #advance}. */
    private final long[] held;
    /** When the waiters were last searched for appends whose clients left. */
    private long lastAbandonedSweep;

    CommitTracker(final Replica replica) {
        this.r = replica;
        this.waiters = new WriteConcernWaiters(replica.clusterSize());
        this.held = new long[replica.clusterSize()];
        this.lastAbandonedSweep = replica.clock.nanoTime();
    }

    /** Appends waiting for their w. */
    int waiting() {
        return waiters.size();
    }

    /**
     * The deadline of an append with a timeout of {@code timeoutNanos} (0 or less: none), read from the clock now so
     * that the time spent appending counts toward it.
     */
    long deadline(final long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return WriteConcernWaiters.NO_DEADLINE;
        }
        final long at = r.clock.nanoTime() + timeoutNanos;
        return at == WriteConcernWaiters.NO_DEADLINE ? at + 1 : at;
    }

    /** A new entry waits for its w. */
    void waitFor(final int w, final long msgId, final long deadline, final long timeoutNanos,
                 final AppendCallback callback) {
        waiters.add(w, msgId, deadline, timeoutNanos, callback);
    }

    /** A tagged append sent again waits for the w of the entry it got the first time; answered at once if met. */
    void waitForResent(final int w, final long msgId, final long deadline, final long timeoutNanos,
                       final AppendCallback callback) {
        waiters.addResent(w, msgId, deadline, timeoutNanos, callback);
        answerWaiting();
    }

    /**
     * Time passed (as master): appends past their deadline are answered TIMEOUT, and once a second those whose
     * clients left are dropped (a client that left frees its place within a second).
     */
    void tick(final long now) {
        waiters.expire(now, r.id(), this::copiesOf);
        if (now - lastAbandonedSweep >= ABANDONED_SWEEP_NANOS && waiters.size() > 0) {
            lastAbandonedSweep = now;
            waiters.dropAbandoned(r.id());
        }
    }

    /** Every waiting append is answered {@code code}: the master stopped leading, or the replica stopped. */
    void failAll(final short code, final String why, final int masterId) {
        waiters.failAll(code, why, masterId);
    }

    /** The node shuts down: every waiting append is answered SHUTTING_DOWN. */
    void stopAll() {
        waiters.stopAll();
    }

    /** Recomputes the commit point and answers the appends whose w is met. */
    void advance() {
        final boolean ackOnSend = r.broken == BrokenRule.ACKS_ON_SEND;
        held[0] = r.log.durableId();
        int i = 1;
        for (final int peer : r.peers) {
            held[i++] = r.leader.heldBy(peer, ackOnSend);
        }
        Arrays.sort(held);
        // held ascending: the w-th highest is held[clusterSize - w]
        final long majorityHeld = held[held.length - r.majority];
        if (majorityHeld > r.commitId
            && (r.log.epochAt(majorityHeld) == r.epoch || r.broken == BrokenRule.COMMITS_OLD_EPOCH)) {
            r.commitId = majorityHeld;
            r.events.committed(r.commitId);
        }
        answerWaiting();
    }

    /** How many nodes (this one included) hold log index {@code index} as the write concern counts them. */
    private int copiesOf(final long index) {
        int copies = r.log.durableId() >= index ? 1 : 0;
        for (final int peer : r.peers) {
            if (r.leader.heldBy(peer, r.broken == BrokenRule.ACKS_ON_SEND) >= index) {
                copies++;
            }
        }
        return copies;
    }

    private void answerWaiting() {
        if (waiters.size() == 0) {
            return;
        }
        // under a static leader, w copies are the master's own and w-1 others (w=1: the master's own copy, as fixed
        // roles promise): an append whose copy on the master never became durable (its disk failed) is never
        // acknowledged, however many secondaries hold it. Elected: any w nodes (Raft's count)
        final int clusterSize = held.length;
        final long own = r.leadership.isStatic() ? r.log.durableId() : Long.MAX_VALUE;
        for (int w = 1; w <= clusterSize; w++) {
            final long heldByW = Math.min(own, held[clusterSize - w]);
            waiters.answer(w, w >= r.majority ? Math.min(heldByW, r.commitId) : heldByW);
        }
    }
}
