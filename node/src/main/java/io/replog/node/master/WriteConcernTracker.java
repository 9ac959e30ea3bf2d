package io.replog.node.master;

import io.replog.node.role.AppendRequest;
import io.replog.node.replication.SecondarySender;
import java.util.Arrays;
import java.util.List;

/**
 * Answers appends once their write concern is met. The sequencer hands over each batch of w&gt;1 appends; the
 * senders' event loops report ACKs and complete what they made durable right there, so an answer does not wait for
 * the sequencer thread to wake up (one thread hand-off less on the w&gt;1 path). A monitor guards the waiting
 * appends: the sequencer takes it once per batch, an ACK once per ACK frame, both briefly.
 *
 * <p>No append can be missed. An ACK publishes its position (volatile), then reads {@code waiting}; the sequencer
 * publishes {@code waiting}, then reads the positions. Of two volatile write-then-read pairs at least one sees the
 * other's write: either the ACK sees appends waiting and completes them under the monitor (after the sequencer left
 * it), or the sequencer sees the new position and completes them itself.
 */
public final class WriteConcernTracker {
    private final List<SecondarySender> senders;
    private final PendingAppends pending;
    /** Mirrors of guarded state, for the lock-free fast paths. */
    private volatile int waiting;
    private volatile long nextDeadline = Long.MAX_VALUE;

    public WriteConcernTracker(final List<SecondarySender> senders, final int maxW) {
        this.senders = senders;
        this.pending = new PendingAppends(maxW);
    }

    /** Sequencer: these appends (in msg_id order) wait for their w; answers any that already has it. */
    void await(final List<AppendRequest> appended) {
        synchronized (this) {
            for (final AppendRequest r : appended) {
                pending.add(r);
            }
            waiting = pending.size(); // before reading the positions: see the class comment
            pending.complete(ackedDescending());
            publish();
        }
    }

    /** Sender event loop: a secondary acknowledged more; answer what is now durable enough. */
    public void onAck() {
        if (waiting == 0) {
            return;
        }
        synchronized (this) {
            pending.complete(ackedDescending());
            publish();
        }
    }

    /** Sequencer: fail the appends whose timeout passed before their w was met. */
    int expire(final long nowNanos) {
        if (nextDeadline > nowNanos) {
            return 0;
        }
        synchronized (this) {
            final int expired = pending.expire(nowNanos, ackedDescending());
            publish();
            return expired;
        }
    }

    /** The highest msg_id that has at least {@code w} copies now. */
    long committed(final int w) {
        return w <= 1 ? Long.MAX_VALUE : ackedDescending()[w - 2];
    }

    long nextDeadline() {
        return nextDeadline;
    }

    int waiting() {
        return waiting;
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

    /** Each secondary's acknowledged position, highest first: the commit point for w is element w-2. */
    private long[] ackedDescending() {
        final int n = senders.size();
        final long[] positions = new long[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            positions[i] = senders.get(i).ackedId();
        }
        Arrays.sort(positions, 0, n);
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            final long t = positions[i];
            positions[i] = positions[j];
            positions[j] = t;
        }
        return positions;
    }
}
