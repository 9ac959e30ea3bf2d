package io.replog.node.log;

import java.util.Arrays;

/**
 * Where each epoch starts in a log: (epoch, first msg_id) pairs in increasing order of both, as Kafka's
 * leader-epoch cache. Tiny (one pair per master start that wrote something), so it is copied on every change and
 * read without locks: the single writer publishes a new array through a volatile field.
 *
 * <p>It also lists the log's <b>epoch marks</b>: count-0 batches a failover master writes first in its epoch (the
 * consensus engine's own entry, which takes no msg_id). A mark sits at its epoch's start, so it is named by
 * (epoch, the msg_id its epoch's first message gets); several marks may share that msg_id (epochs that wrote no
 * message).
 */
public final class EpochHistory {
    /** Pairs flattened: epoch at 2k, its first msg_id at 2k + 1. */
    private volatile long[] pairs = new long[0];
    /** Marks flattened: epoch at 2k, the msg_id its first message gets at 2k + 1, oldest first. */
    private volatile long[] marks = new long[0];

    /** Records that entries from {@code firstId} on carry {@code epoch}, unless the last pair already says so. */
    public void entered(final long epoch, final long firstId) {
        final long[] p = pairs;
        final long last = lastEpoch();
        if (epoch == last) {
            return;
        }
        if (epoch < last) {
            throw new IllegalArgumentException("epoch " + epoch + " is below the log's last epoch " + last);
        }
        final long[] grown = Arrays.copyOf(p, p.length + 2);
        grown[p.length] = epoch;
        grown[p.length + 1] = firstId;
        pairs = grown;
    }

    /** Records the mark of {@code epoch} before msg_id {@code nextId}: the epoch starts there, with the mark. */
    public void marked(final long epoch, final long nextId) {
        if (epoch <= lastEpoch()) {
            throw new IllegalArgumentException("a mark of epoch " + epoch + " after entries of epoch " + lastEpoch());
        }
        entered(epoch, nextId);
        final long[] m = marks;
        final long[] grown = Arrays.copyOf(m, m.length + 2);
        grown[m.length] = epoch;
        grown[m.length + 1] = nextId;
        marks = grown;
    }

    /**
     * The marks, flattened (epoch, msg_id of its epoch's first message, …). Not a copy (the hot path asks once per
     * message): the array is replaced, never changed, when the marks change; callers must not change it either.
     */
    public long[] marks() {
        return marks;
    }

    /** The epochs of the marks before msg_id {@code nextId} (epochs that start there), oldest first. */
    public long[] marksBefore(final long nextId) {
        final long[] m = marks;
        return java.util.stream.IntStream.range(0, m.length / 2).filter(k -> m[2 * k + 1] == nextId)
            .mapToLong(k -> m[2 * k]).toArray();
    }

    /** How many marks the log holds. */
    public int markCount() {
        return marks.length / 2;
    }

    /** Epoch of the last entry recorded, 0 when none. */
    public long lastEpoch() {
        final long[] p = pairs;
        return p.length == 0 ? 0 : p[p.length - 2];
    }

    /** Epoch of entry {@code id} (which the caller knows exists), 0 for id 0. */
    public long epochAt(final long id) {
        final long[] p = pairs;
        long epoch = 0;
        for (int i = 0; i < p.length && p[i + 1] <= id; i += 2) {
            epoch = p[i];
        }
        return epoch;
    }

    /** The first msg_id after {@code id} that starts a new epoch, or {@code Long.MAX_VALUE}. */
    public long nextStartAfter(final long id) {
        final long[] p = pairs;
        for (int i = 1; i < p.length; i += 2) {
            if (p[i] > id) {
                return p[i];
            }
        }
        return Long.MAX_VALUE;
    }

    /** The highest msg_id with an epoch ≤ {@code epoch}, given the log ends at {@code lastId}. */
    public long endOf(final long epoch, final long lastId) {
        final long[] p = pairs;
        for (int i = 0; i < p.length; i += 2) {
            if (p[i] > epoch) {
                return Math.min(lastId, p[i + 1] - 1);
            }
        }
        return lastId;
    }

    /** Forgets every epoch that starts after {@code lastKept}. */
    public void truncateAfter(final long lastKept) {
        final long[] p = pairs;
        int keep = 0;
        while (keep < p.length && p[keep + 1] <= lastKept) {
            keep += 2;
        }
        if (keep < p.length) {
            pairs = Arrays.copyOf(p, keep);
        }
        final long[] m = marks;
        int keepMarks = 0;
        while (keepMarks < m.length && m[keepMarks + 1] <= lastKept) {
            keepMarks += 2;
        }
        if (keepMarks < m.length) {
            marks = Arrays.copyOf(m, keepMarks);
        }
    }

    /** The pairs, flattened (epoch, first msg_id, …): for persisting. */
    public long[] toArray() {
        return pairs.clone();
    }

    /** Replaces the history with {@code flattened} pairs and no marks. */
    public void load(final long[] flattened) {
        load(flattened, new long[0]);
    }

    /** Replaces the history (recovery): {@link #toArray()} and {@link #marks()} as they were. */
    public void load(final long[] flattened, final long[] markPairs) {
        if (flattened.length % 2 != 0 || markPairs.length % 2 != 0) {
            throw new IllegalArgumentException("epoch history needs pairs, got " + flattened.length + " and "
                + markPairs.length + " numbers");
        }
        pairs = flattened.clone();
        marks = markPairs.clone();
    }
}
