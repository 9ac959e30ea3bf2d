package io.replog.node.consensus;

import io.replog.protocol.ErrorCode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;
import java.util.PriorityQueue;

/**
 * Appends waiting until w nodes hold them: per w, a queue in msg_id order (a master's new entries only grow), so
 * each advance answers from the front and stops at the first one still short. A tagged append sent again waits on
 * the msg_id it got the first time, which may be anywhere: those few wait aside in a list.
 *
 * <p>An append with a timeout also waits in a queue by deadline ({@link #expire}): deadlines are in no msg_id order
 * (each client picks its own), so an expired waiter is answered at once and counted out of {@link #size()}, but left
 * where it sits in its w's queue and dropped when reached (lazy removal), and an answered one is left in the deadline
 * queue the same way. Each structure is swept whole once its dead waiters outnumber its live ones, so memory stays
 * within a small multiple of the live waiters, whatever the traffic, and every operation is amortised O(log n).
 */
final class WriteConcernWaiters {
    /** Passed as deadline: waits without limit. */
    static final long NO_DEADLINE = Long.MIN_VALUE;
    /** Dead waiters a structure may hold before a sweep is worth it at all. */
    private static final int SWEEP_MIN = 64;

    private static final class Waiter {
        final int w;
        final long msgId;
        final long deadlineNanos;
        final long timeoutNanos;
        final AppendCallback callback;
        /** Answered: no longer counted, dropped from wherever it still sits when reached. */
        boolean done;

        Waiter(final int w, final long msgId, final long deadlineNanos, final long timeoutNanos,
               final AppendCallback callback) {
            this.w = w;
            this.msgId = msgId;
            this.deadlineNanos = deadlineNanos;
            this.timeoutNanos = timeoutNanos;
            this.callback = callback;
        }

        boolean timed() {
            return deadlineNanos != NO_DEADLINE;
        }
    }

    private final ArrayDeque<Waiter>[] byW;
    private final List<Waiter>[] resent;
    /** Per w: expired waiters still in byW[w] or resent[w]. */
    private final int[] deadByW;
    private final PriorityQueue<Waiter> deadlines =
        new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNanos - b.deadlineNanos, 0));
    /** Answered waiters still in {@link #deadlines}. */
    private int deadInDeadlines;
    private int size;

    @SuppressWarnings("unchecked")
    WriteConcernWaiters(final int clusterSize) {
        byW = new ArrayDeque[clusterSize + 1];
        resent = new List[clusterSize + 1];
        deadByW = new int[clusterSize + 1];
        for (int w = 1; w <= clusterSize; w++) {
            byW[w] = new ArrayDeque<>();
            resent[w] = new ArrayList<>();
        }
    }

    /** Appends waiting (answered ones left behind by lazy removal are not counted). */
    int size() {
        return size;
    }

    /** A new entry, higher than every one waiting, without a deadline. */
    void add(final int w, final long msgId, final AppendCallback callback) {
        add(w, msgId, NO_DEADLINE, 0, callback);
    }

    /**
     * A new entry, higher than every one waiting, answered TIMEOUT by {@link #expire} from {@code deadlineNanos} on
     * ({@link #NO_DEADLINE}: never); {@code timeoutNanos} is what the client asked for, for the answer's text.
     */
    void add(final int w, final long msgId, final long deadlineNanos, final long timeoutNanos,
             final AppendCallback callback) {
        final Waiter waiter = new Waiter(w, msgId, deadlineNanos, timeoutNanos, callback);
        byW[w].addLast(waiter);
        waitsFor(waiter);
    }

    /** An entry already in the log (a tagged append sent again), without a deadline. */
    void addResent(final int w, final long msgId, final AppendCallback callback) {
        addResent(w, msgId, NO_DEADLINE, 0, callback);
    }

    /** An entry already in the log (a tagged append sent again), with a deadline as in {@link #add}. */
    void addResent(final int w, final long msgId, final long deadlineNanos, final long timeoutNanos,
                   final AppendCallback callback) {
        final Waiter waiter = new Waiter(w, msgId, deadlineNanos, timeoutNanos, callback);
        resent[w].add(waiter);
        waitsFor(waiter);
    }

    private void waitsFor(final Waiter waiter) {
        size++;
        if (waiter.timed()) {
            deadlines.add(waiter);
        }
    }

    /** Answers every append of {@code w} at or below {@code heldId} (what w nodes hold). */
    void answer(final int w, final long heldId) {
        final ArrayDeque<Waiter> queue = byW[w];
        while (!queue.isEmpty() && (queue.peekFirst().done || queue.peekFirst().msgId <= heldId)) {
            final Waiter waiter = queue.pollFirst();
            if (waiter.done) {
                deadByW[w]--;
                continue;
            }
            answered(waiter);
            waiter.callback.stored(waiter.msgId);
        }
        final List<Waiter> aside = resent[w];
        for (int i = aside.size() - 1; i >= 0; i--) {
            final Waiter waiter = aside.get(i);
            if (waiter.done) {
                aside.remove(i);
                deadByW[w]--;
            } else if (waiter.msgId <= heldId) {
                aside.remove(i);
                answered(waiter);
                waiter.callback.storedBefore(waiter.msgId);
            }
        }
    }

    /** {@code waiter} leaves the count; it is dropped from the deadline queue when reached. */
    private void answered(final Waiter waiter) {
        waiter.done = true;
        size--;
        if (waiter.timed()) {
            deadInDeadlines++;
            if (deadInDeadlines > SWEEP_MIN && deadInDeadlines > deadlines.size() / 2) {
                deadlines.removeIf(each -> each.done);
                deadInDeadlines = 0;
            }
        }
    }

    /**
     * Answers TIMEOUT every append whose deadline is at or before {@code nowNanos}: it leaves the count at once (its
     * entry stays in the log and goes on replicating). {@code masterId}: this node, named in the answer;
     * {@code copies}: how many nodes hold a log index, for the answer's "Got only N ACKs (required w)" (the README's
     * words, in both modes).
     */
    void expire(final long nowNanos, final int masterId, final LongToIntFunction copies) {
        while (!deadlines.isEmpty()) {
            final Waiter first = deadlines.peek();
            if (first.done) {
                deadlines.poll();
                deadInDeadlines--;
                continue;
            }
            if (first.deadlineNanos - nowNanos > 0) {
                return;
            }
            deadlines.poll();
            first.done = true;
            size--;
            final int w = first.w;
            deadByW[w]++;
            if (deadByW[w] > SWEEP_MIN && deadByW[w] > (byW[w].size() + resent[w].size()) / 2) {
                byW[w].removeIf(each -> each.done);
                resent[w].removeIf(each -> each.done);
                deadByW[w] = 0;
            }
            first.callback.failed(ErrorCode.TIMEOUT, "Got only " + copies.applyAsInt(first.msgId) + " ACKs (required "
                + first.w + ")", masterId);
        }
    }

    /**
     * Answers TIMEOUT every waiting append whose client gave up ({@link AppendCallback#abandoned}): one pass over all
     * of them, so the caller keeps it rare. Returns how many left.
     */
    int dropAbandoned(final int masterId) {
        final List<Waiter> gone = new ArrayList<>();
        for (int w = 1; w < byW.length; w++) {
            for (final Waiter waiter : byW[w]) {
                if (!waiter.done && waiter.callback.abandoned()) {
                    gone.add(waiter);
                }
            }
            for (final Waiter waiter : resent[w]) {
                if (!waiter.done && waiter.callback.abandoned()) {
                    gone.add(waiter);
                }
            }
        }
        for (final Waiter waiter : gone) {
            if (waiter.timed()) {
                deadInDeadlines++; // dropped from the deadline queue when reached, as an answered one
            }
            waiter.done = true;
            size--;
            deadByW[waiter.w]++;
        }
        for (int w = 1; w < byW.length; w++) {
            if (deadByW[w] > 0) { // a rare pass: sweep at once rather than wait for the thresholds
                byW[w].removeIf(each -> each.done);
                resent[w].removeIf(each -> each.done);
                deadByW[w] = 0;
            }
        }
        for (final Waiter waiter : gone) {
            waiter.callback.failed(ErrorCode.TIMEOUT, "the client closed its connection before w=" + waiter.w
                + " was met; the message stays in the log", masterId);
        }
        return gone.size();
    }

    /** Fails every waiting append with {@code code}: this node is no longer master, or stops. */
    void failAll(final short code, final String why, final int masterId) {
        for (final Waiter waiter : takeAll()) {
            waiter.callback.failed(code, why, masterId);
        }
    }

    /** The node stops: every waiting append is told so, with its id and w ({@link AppendCallback#stopping}). */
    void stopAll() {
        for (final Waiter waiter : takeAll()) {
            waiter.callback.stopping(waiter.msgId, waiter.w);
        }
    }

    /** Removes every waiting append (marked answered) and returns them, to be answered by the caller. */
    private List<Waiter> takeAll() {
        final List<Waiter> all = new ArrayList<>(size);
        for (int w = 1; w < byW.length; w++) {
            for (final Waiter waiter : byW[w]) {
                if (!waiter.done) {
                    all.add(waiter);
                }
            }
            for (final Waiter waiter : resent[w]) {
                if (!waiter.done) {
                    all.add(waiter);
                }
            }
            byW[w].clear();
            resent[w].clear();
            deadByW[w] = 0;
        }
        deadlines.clear();
        deadInDeadlines = 0;
        size = 0;
        for (final Waiter waiter : all) {
            waiter.done = true;
        }
        return all;
    }

    /** Waiters held in all structures, answered or not: what the lazy removal costs in memory (tests). */
    int held() {
        int held = deadlines.size();
        for (int w = 1; w < byW.length; w++) {
            held += byW[w].size() + resent[w].size();
        }
        return held;
    }
}
