package io.replog.node.consensus;

import io.replog.protocol.ErrorCode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends waiting until w nodes hold them: per w, a queue in msg_id order (a master's new entries only grow), so
 * each advance answers from the front and stops at the first one still short. A tagged append sent again waits on
 * the msg_id it got the first time, which may be anywhere: those few wait aside in a list.
 */
final class WriteConcernWaiters {
    private record Waiter(long msgId, AppendCallback callback) {
    }

    private final ArrayDeque<Waiter>[] byW;
    private final List<Waiter>[] resent;
    private int size;

    @SuppressWarnings("unchecked")
    WriteConcernWaiters(final int clusterSize) {
        byW = new ArrayDeque[clusterSize + 1];
        resent = new List[clusterSize + 1];
        for (int w = 1; w <= clusterSize; w++) {
            byW[w] = new ArrayDeque<>();
            resent[w] = new ArrayList<>();
        }
    }

    int size() {
        return size;
    }

    /** A new entry, higher than every one waiting. */
    void add(final int w, final long msgId, final AppendCallback callback) {
        byW[w].addLast(new Waiter(msgId, callback));
        size++;
    }

    /** An entry already in the log (a tagged append sent again). */
    void addResent(final int w, final long msgId, final AppendCallback callback) {
        resent[w].add(new Waiter(msgId, callback));
        size++;
    }

    /** Answers every append of {@code w} at or below {@code heldId} (what w nodes hold). */
    void answer(final int w, final long heldId) {
        final ArrayDeque<Waiter> queue = byW[w];
        while (!queue.isEmpty() && queue.peekFirst().msgId() <= heldId) {
            final Waiter waiter = queue.pollFirst();
            size--;
            waiter.callback().stored(waiter.msgId());
        }
        final List<Waiter> aside = resent[w];
        for (int i = aside.size() - 1; i >= 0; i--) {
            if (aside.get(i).msgId() <= heldId) {
                final Waiter waiter = aside.remove(i);
                size--;
                waiter.callback().storedBefore(waiter.msgId());
            }
        }
    }

    /** Fails every waiting append with {@code code}: this node is no longer master, or stops. */
    void failAll(final short code, final String why, final int masterId) {
        for (int w = 1; w < byW.length; w++) {
            final List<Waiter> all = new ArrayList<>(byW[w]);
            all.addAll(resent[w]);
            byW[w].clear();
            resent[w].clear();
            for (final Waiter waiter : all) {
                waiter.callback().failed(code, why, masterId);
            }
        }
        size = 0;
    }
}
