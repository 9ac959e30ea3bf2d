package io.replog.node.master;

import io.replog.node.role.AppendRequest;
import io.replog.protocol.ErrorCode;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Answers appends once their write concern is met. It keeps each node's durable position itself: the master's own
 * (reported by its log's flusher, {@link #onDurable}) and each secondary's acknowledged one (the senders' event loops,
 * {@link #onAck}), and completes what a report made durable enough right there, so an answer does not wait for the
 * sequencer thread to wake up. The sequencer hands over each batch of appends it cannot answer at once. A monitor guards the waiting appends: the sequencer takes it once per batch, an ACK once per ACK frame
 * that finds appends waiting, both briefly: whoever takes out appends whose w is met answers them after leaving it.
 *
 * <p>No append can be missed. An ACK publishes its position (volatile), then reads {@code waiting}; the sequencer
 * publishes {@code waiting}, then reads the positions. Of two volatile write-then-read pairs at least one sees the
 * other's write: either the ACK sees appends waiting and completes them under the monitor (after the sequencer left
 * it), or the sequencer sees the new position and completes them itself.
 */
public final class WriteConcernTracker {
    private final AtomicLongArray positions;
    /** Scratch for the commit points (positions, highest first), reused under the monitor. */
    private final long[] commitPoints;
    private final PendingAppends pending;
    /** Mirrors of guarded state, for the lock-free fast paths. */
    private volatile int waiting;
    private volatile long nextDeadline = Long.MAX_VALUE;
    /** Once the master's disk failed: appends past this msg_id can never be durable there. Under the monitor. */
    private long lostAfter = Long.MAX_VALUE;
    private String lostBecause;

    /** Slot of the master's own copy among the positions; secondary i is at i + 1. */
    private static final int MASTER = 0;

    public WriteConcernTracker(final int secondaries) {
        this.positions = new AtomicLongArray(1 + secondaries);
        this.commitPoints = new long[1 + secondaries];
        this.pending = new PendingAppends(1 + secondaries);
    }

    /** The master's own copy is durable up to {@code position}. Any thread (its log's flusher, or the sequencer). */
    public void onDurable(final long position) {
        report(MASTER, position);
    }

    /**
     * Secondary {@code secondary} now holds everything up to {@code position} durably (which may be lower than
     * before: a secondary that restarted empty). Answers what is now held by enough nodes. Any thread.
     */
    public void onAck(final int secondary, final long position) {
        report(secondary + 1, position);
    }

    private void report(final int slot, final long position) {
        positions.set(slot, position);
        if (waiting == 0) {
            return;
        }
        final PendingAppends.Waiting done;
        synchronized (this) {
            done = pending.takeCompleted(commitPoints());
            publish();
        }
        PendingAppends.succeed(done); // outside the monitor: taken out under it, so answered by this thread alone
    }

    /** Sequencer: these appends (in msg_id order) wait for their w; answers any that already has it. */
    void await(final List<AppendRequest> appended) {
        final PendingAppends.Waiting done;
        synchronized (this) {
            for (final AppendRequest r : appended) {
                if (r.msgId() > lostAfter) {
                    r.fail(ErrorCode.STORAGE_FAILED, notDurable(r.msgId()));
                } else {
                    pending.add(r);
                }
            }
            waiting = pending.size(); // before reading the positions: see the class comment
            done = pending.takeCompleted(commitPoints());
            publish();
        }
        PendingAppends.succeed(done);
    }

    /** Fails the appends whose timeout passed before their w was met. */
    int expire(final long nowNanos) {
        if (nextDeadline > nowNanos) {
            return 0;
        }
        synchronized (this) {
            final int expired = pending.expire(nowNanos, commitPoints());
            publish();
            return expired;
        }
    }

    /** The highest msg_id that has at least {@code w} durable copies now (the master's own included). */
    public long committed(final int w) {
        // off the hot path (re-sent appends, health): a sorted copy is simplest
        final long[] sorted = new long[positions.length()];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = positions.get(i);
        }
        Arrays.sort(sorted);
        return sorted[sorted.length - w];
    }

    long nextDeadline() {
        return nextDeadline;
    }

    /** Appends waiting for their write concern now. */
    public int waiting() {
        return waiting;
    }

    /**
     * The master's log can no longer make anything durable past {@code durable} (its disk failed): every append
     * waiting beyond it, and every one handed over later, fails with STORAGE_FAILED; those at or below it still
     * wait for their secondaries.
     */
    public void storageFailed(final long durable, final String why) {
        synchronized (this) {
            lostAfter = Math.min(lostAfter, durable);
            lostBecause = why;
            pending.failAfter(lostAfter, ErrorCode.STORAGE_FAILED, this::notDurable);
            publish();
        }
    }

    private String notDurable(final long msgId) {
        return "msg_id " + msgId + " was written but could not be made durable: " + lostBecause
            + "; it may be lost (or found again when the master restarts)";
    }

    void failAll(final short code, final String text) {
        synchronized (this) {
            pending.failAll(code, text);
            publish();
        }
    }

    private void publish() {
        waiting = pending.size();
        nextDeadline = pending.nextDeadline();
    }

    /** Each node's durable position, highest first: element w-1 is the commit point for w. Under the monitor. */
    private long[] commitPoints() {
        final long[] sorted = commitPoints;
        for (int i = 0; i < positions.length(); i++) {
            final long p = positions.get(i);
            int j = i;
            while (j > 0 && sorted[j - 1] < p) {
                sorted[j] = sorted[j - 1];
                j--;
            }
            sorted[j] = p;
        }
        return sorted;
    }
}
