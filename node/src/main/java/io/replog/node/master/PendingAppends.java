package io.replog.node.master;

import io.netty.util.internal.DefaultPriorityQueue;
import io.netty.util.internal.PriorityQueueNode;
import io.replog.node.role.AppendRequest;
import io.replog.protocol.ErrorCode;

import java.util.Comparator;
import java.util.function.LongFunction;

/**
 * Appends waiting for their write concern, guarded by the {@link WriteConcernTracker}'s monitor. One list per w,
 * in msg_id order, so completing a commit point is taking a prefix: a w=3 append stuck behind a dead secondary
 * never delays the w=2 or w=1 appends that came after it. An answered append leaves every structure at once (its
 * list and, when it has a timeout, the deadline heap), so nothing answered is held or counted.
 */
final class PendingAppends {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PendingAppends.class);
    /** A waiting append: its place in its w's list and in the deadline heap. */
    static final class Waiting implements PriorityQueueNode {
        final AppendRequest request;
        Waiting prev;
        Waiting next;
        /** Once its w is met: the next of the appends taken together, to be answered outside the monitor. */
        Waiting nextDone;
        int heapIndex = INDEX_NOT_IN_QUEUE;

        Waiting(final AppendRequest request) {
            this.request = request;
        }

        long msgId() {
            return request.msgId();
        }

        @Override
        public int priorityQueueIndex(final DefaultPriorityQueue<?> queue) {
            return heapIndex;
        }

        @Override
        public void priorityQueueIndex(final DefaultPriorityQueue<?> queue, final int i) {
            heapIndex = i;
        }
    }

    /** Doubly linked, msg_id order: new appends go at the tail, a re-sent older one walks back to its place. */
    private static final class WaitList {
        Waiting head;
        Waiting tail;

        void insert(final Waiting node) {
            Waiting after = tail;
            while (after != null && after.msgId() > node.msgId()) {
                after = after.prev;
            }
            node.prev = after;
            node.next = after == null ? head : after.next;
            if (node.next != null) {
                node.next.prev = node;
            } else {
                tail = node;
            }
            if (after != null) {
                after.next = node;
            } else {
                head = node;
            }
        }

        void unlink(final Waiting node) {
            if (node.prev != null) {
                node.prev.next = node.next;
            } else {
                head = node.next;
            }
            if (node.next != null) {
                node.next.prev = node.prev;
            } else {
                tail = node.prev;
            }
            node.prev = null;
            node.next = null;
        }
    }

    private final WaitList[] byW;
    private final DefaultPriorityQueue<Waiting> byDeadline =
        new DefaultPriorityQueue<>(Comparator.comparingLong(n -> n.request.deadlineNanos()), 64);
    private int waiting;

    PendingAppends(final int maxW) {
        byW = new WaitList[maxW + 1];
        for (int w = 1; w <= maxW; w++) {
            byW[w] = new WaitList();
        }
    }

    void add(final AppendRequest request) {
        final Waiting node = new Waiting(request);
        byW[request.w()].insert(node);
        waiting++;
        if (request.timeoutNanos() > 0) {
            byDeadline.offer(node);
        }
    }

    /** Appends waiting, exactly: answered ones are never counted. */
    int size() {
        return waiting;
    }

    /**
     * Takes out every waiting append whose write concern is met, as a chain (null for none) that the caller answers
     * with {@link #succeed} once it left the monitor: answering (the latency metrics, handing the answer to the
     * client's event loop) then never holds up the other threads that report positions.
     *
     * @param commitPoints commitPoints[w-1] is the highest msg_id held (durably) by at least w nodes
     */
    Waiting takeCompleted(final long[] commitPoints) {
        Waiting first = null;
        Waiting last = null;
        for (int w = 1; w < byW.length; w++) {
            final long commit = commitPoints[w - 1];
            final WaitList list = byW[w];
            Waiting head;
            while ((head = list.head) != null && head.msgId() <= commit) {
                remove(head);
                if (last == null) {
                    first = head;
                } else {
                    last.nextDone = head;
                }
                last = head;
            }
        }
        return first;
    }

    /** Answers with success every append of a chain {@link #takeCompleted} took out; returns how many. */
    static int succeed(final Waiting chain) {
        if (chain == null) {
            return 0;
        }
        final long now = System.nanoTime(); // one clock reading for all of them (latency metrics)
        int answered = 0;
        for (Waiting w = chain; w != null; w = w.nextDone) {
            try {
                w.request.succeed(now);
                answered++;
            } catch (RuntimeException e) {
                // taken out of every list: nobody else would answer the rest, so one failure must not stop them
                LOG.error("answering msg_id {} failed", w.msgId(), e);
            }
        }
        return answered;
    }

    /** Fails every append whose timeout passed before its write concern was met. */
    int expire(final long nowNanos, final long[] commitPoints) {
        int expired = 0;
        Waiting first;
        while ((first = byDeadline.peek()) != null && first.request.deadlineNanos() <= nowNanos) {
            remove(first);
            final AppendRequest r = first.request;
            r.fail(ErrorCode.TIMEOUT, "Got only " + copies(r.msgId(), commitPoints) + " ACKs (required " + r.w() + ")");
            expired++;
        }
        return expired;
    }

    /** Earliest deadline among waiting appends, or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        final Waiting first = byDeadline.peek();
        return first == null ? Long.MAX_VALUE : first.request.deadlineNanos();
    }

    /** Fails everything still waiting (shutdown, or the node is no longer the master). */
    void failAll(final short code, final String text) {
        for (int w = 1; w < byW.length; w++) {
            Waiting head;
            while ((head = byW[w].head) != null) {
                remove(head);
                head.request.fail(code, text + "; the message is stored as msg_id " + head.msgId()
                    + " but w=" + w + " was not reached yet");
            }
        }
    }

    /** Fails every waiting append above {@code msgId}, with the text {@code why} gives for its msg_id. */
    int failAfter(final long msgId, final short code, final LongFunction<String> why) {
        int failed = 0;
        for (int w = 1; w < byW.length; w++) {
            Waiting first = byW[w].tail;
            while (first != null && first.prev != null && first.prev.msgId() > msgId) {
                first = first.prev;
            }
            while (first != null && first.msgId() > msgId) { // answered in msg_id order
                final Waiting next = first.next;
                remove(first);
                first.request.fail(code, why.apply(first.msgId()));
                failed++;
                first = next;
            }
        }
        return failed;
    }

    private void remove(final Waiting node) {
        byW[node.request.w()].unlink(node);
        if (node.heapIndex != PriorityQueueNode.INDEX_NOT_IN_QUEUE) {
            byDeadline.removeTyped(node);
        }
        waiting--;
    }

    /** Durable copies of {@code msgId} that exist (the master's and the secondaries'), from the commit points. */
    private static int copies(final long msgId, final long[] commitPoints) {
        int copies = 0;
        for (final long commit : commitPoints) {
            if (commit >= msgId) {
                copies++;
            }
        }
        return copies;
    }
}
