package io.replog.node.log;

import java.util.Arrays;

/**
 * Where each epoch starts in a log: (epoch, first msg_id) pairs in increasing order of both, as Kafka's
 * leader-epoch cache. Tiny (one pair per master start that wrote something), so it is copied on every change and
 * read without locks: the single writer publishes a new array through a volatile field.
 */
public final class EpochHistory {
    /** Pairs flattened: epoch at 2k, its first msg_id at 2k + 1. */
    private volatile long[] pairs = new long[0];

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
    }

    /** The pairs, flattened (epoch, first msg_id, …): for persisting. */
    public long[] toArray() {
        return pairs.clone();
    }

    /** Replaces the history (recovery). */
    public void load(final long[] flattened) {
        if (flattened.length % 2 != 0) {
            throw new IllegalArgumentException("epoch history needs pairs, got " + flattened.length + " numbers");
        }
        pairs = flattened.clone();
    }
}
