package io.replog.node.master;

import io.replog.node.role.AppendRequest;
import io.replog.protocol.ErrorCode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Appends waiting for their write concern, owned by the sequencer thread. One FIFO per w: msg_ids only grow, so
 * each FIFO is in msg_id order and completing a commit point is popping a prefix. A w=3 append stuck behind a
 * dead secondary therefore never delays the w=2 or w=1 appends that came after it.
 */
final class PendingAppends {
    private final ArrayDeque<AppendRequest>[] byW;
    /** Re-sent tagged appends carry an older msg_id than the FIFOs' tails; few, so scanned. */
    private final ArrayList<AppendRequest> resent = new ArrayList<>();
    private final PriorityQueue<AppendRequest> byDeadline =
        new PriorityQueue<>(Comparator.comparingLong(AppendRequest::deadlineNanos));
    private int waiting;

    @SuppressWarnings("unchecked")
    PendingAppends(final int maxW) {
        byW = new ArrayDeque[maxW + 1];
        for (int w = 2; w <= maxW; w++) {
            byW[w] = new ArrayDeque<>();
        }
    }

    void add(final AppendRequest request) {
        final ArrayDeque<AppendRequest> queue = byW[request.w()];
        final AppendRequest tail = queue.peekLast();
        if (tail != null && tail.msgId() > request.msgId()) {
            resent.add(request);
        } else {
            queue.addLast(request);
        }
        waiting++;
        if (request.timeoutNanos() > 0) {
            byDeadline.add(request);
        }
    }

    /** Appends waiting (including ones already answered by a timeout and not yet swept). */
    int size() {
        return waiting;
    }

    /**
     * Answers every waiting append whose write concern is met.
     *
     * @param ackedDescending each secondary's acknowledged position, highest first; the commit point for w is
     *                        the (w-1)-th highest
     * @return appends answered
     */
    int complete(final long[] ackedDescending) {
        int answered = 0;
        for (int w = 2; w < byW.length; w++) {
            final long commit = ackedDescending[w - 2];
            final ArrayDeque<AppendRequest> queue = byW[w];
            AppendRequest head;
            while ((head = queue.peekFirst()) != null && head.msgId() <= commit) {
                queue.pollFirst();
                waiting--;
                if (!head.answered()) {
                    head.succeed();
                    answered++;
                }
            }
        }
        if (!resent.isEmpty()) {
            for (int i = resent.size() - 1; i >= 0; i--) {
                final AppendRequest r = resent.get(i);
                if (r.answered() || r.msgId() <= ackedDescending[r.w() - 2]) {
                    resent.remove(i);
                    waiting--;
                    if (!r.answered()) {
                        r.succeed();
                        answered++;
                    }
                }
            }
        }
        return answered;
    }

    /** Fails every append whose timeout passed before its write concern was met. */
    int expire(final long nowNanos, final long[] ackedDescending) {
        int expired = 0;
        AppendRequest head;
        while ((head = byDeadline.peek()) != null && head.deadlineNanos() <= nowNanos) {
            byDeadline.poll();
            if (!head.answered()) {
                final int copies = copies(head.msgId(), ackedDescending);
                head.fail(ErrorCode.TIMEOUT, "Got only " + copies + " ACKs (required " + head.w() + ")");
                expired++;
            }
        }
        return expired;
    }

    /** Earliest deadline among waiting appends, or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        final AppendRequest head = byDeadline.peek();
        return head == null ? Long.MAX_VALUE : head.deadlineNanos();
    }

    /** Fails everything still waiting (shutdown). */
    void failAll(final short code, final String text) {
        for (int w = 2; w < byW.length; w++) {
            AppendRequest r;
            while ((r = byW[w].pollFirst()) != null) {
                if (!r.answered()) {
                    r.fail(code, text);
                }
            }
        }
        for (final AppendRequest r : resent) {
            if (!r.answered()) {
                r.fail(code, text);
            }
        }
        resent.clear();
        byDeadline.clear();
        waiting = 0;
    }

    /** Copies of {@code msgId} that exist: the master's plus each secondary that acknowledged it. */
    private static int copies(final long msgId, final long[] ackedDescending) {
        int copies = 1;
        for (final long acked : ackedDescending) {
            if (acked >= msgId) {
                copies++;
            }
        }
        return copies;
    }
}
