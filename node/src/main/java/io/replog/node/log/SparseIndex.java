package io.replog.node.log;

import java.util.Arrays;

/**
 * Kafka's offset index, in memory: for one segment, (msg_id, file position) of a batch every
 * {@code intervalBytes} or so, so that a read finds the batch holding an id after a binary search and a short walk
 * of batch headers. Rebuildable from the segment, so it is never written to disk. Written by the store's single
 * writer, read by any thread: the writer publishes an entry with a volatile write of {@link #size}, and a grown
 * array before the size that needs it.
 */
final class SparseIndex {
    private final long baseId;
    private final int intervalBytes;
    /** (id - baseId, position) pairs, flattened; ints because a segment holds less than 2 GiB. */
    private volatile int[] pairs = new int[16];
    private volatile int size;
    /** Writer only: position of the last entry. */
    private long lastIndexed;

    SparseIndex(final long baseId, final int intervalBytes) {
        this.baseId = baseId;
        this.intervalBytes = intervalBytes;
    }

    /** Writer only: notes the batch starting with {@code batchBaseId} at {@code position} if it is far enough on. */
    void add(final long batchBaseId, final long position) {
        final int n = size;
        if (n > 0 && position - lastIndexed < intervalBytes) {
            return;
        }
        int[] p = pairs;
        if (2 * n + 2 > p.length) {
            p = Arrays.copyOf(p, p.length * 2);
            pairs = p;
        }
        p[2 * n] = Math.toIntExact(batchBaseId - baseId);
        p[2 * n + 1] = Math.toIntExact(position);
        lastIndexed = position;
        size = n + 1;
    }

    /** Any thread: position of the last indexed batch that starts at or before {@code id} (0 if none). */
    long floorPosition(final long id) {
        final int n = size;
        final int[] p = pairs;
        final long relative = id - baseId;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            if (p[2 * mid] <= relative) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : p[2 * found + 1];
    }

    /** Writer only: forgets the batches at or after {@code end} (the segment was cut there). */
    void truncate(final long end) {
        final int[] p = pairs;
        int n = size;
        while (n > 0 && p[2 * n - 1] >= end) {
            n--;
        }
        lastIndexed = n > 0 ? p[2 * n - 1] : 0;
        size = n;
    }

    long memoryBytes() {
        return 4L * pairs.length;
    }
}
