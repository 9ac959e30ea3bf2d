package io.replog.node.log;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The segment files of a store, oldest first, the last one active (appended to). The array is copy-on-write:
 * replaced by the writer (roll, truncation) and read by any thread without locks.
 *
 * <p>The active segment's index is always in memory (the writer appends to it). A sealed segment's index is built
 * on the first read that needs it, by walking its batch headers, and only the most recently used
 * {@code sealedIndexes} of them stay in memory, so the memory indexes take does not grow with the log.
 */
final class Segments {
    private final int indexIntervalBytes;
    private volatile Segment[] all;
    /** Sealed segments with their index in memory, least recently used first; the monitor for (un)sealing. */
    private final Map<Segment, Boolean> sealedWithIndex;

    Segments(final List<Segment> recovered, final int indexIntervalBytes, final int sealedIndexes)
        throws IOException {
        this.indexIntervalBytes = indexIntervalBytes;
        this.all = recovered.toArray(new Segment[0]);
        this.sealedWithIndex = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<Segment, Boolean> eldest) {
                if (size() > sealedIndexes) {
                    eldest.getKey().index(null);
                    return true;
                }
                return false;
            }
        };
        final Segment active = active();
        if (active != null) {
            active.index(SegmentScanner.buildIndex(active, active.end(), indexIntervalBytes));
        }
    }

    Segment[] all() {
        return all;
    }

    /** The segment appended to, null when the log is empty. */
    Segment active() {
        final Segment[] a = all;
        return a.length == 0 ? null : a[a.length - 1];
    }

    /** Writer: replaces the list. */
    void publish(final Segment[] segments) {
        all = segments;
    }

    /** Index in {@code segments} of the segment holding {@code id}: the last one starting at or before it. */
    static int find(final Segment[] segments, final long id) {
        int lo = 0;
        int hi = segments.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (segments[mid].baseId() <= id) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** A new active segment's (empty) index. */
    SparseIndex newIndex(final long baseId) {
        return new SparseIndex(baseId, indexIntervalBytes);
    }

    /** Writer: {@code segment} is no longer appended to; its index may now be dropped when memory is needed. */
    void sealed(final Segment segment) {
        synchronized (sealedWithIndex) {
            sealedWithIndex.put(segment, Boolean.TRUE);
        }
    }

    /**
     * Writer, after publishing the list in which {@code segment} is active again (a truncation removed its
     * successors): its index stays in memory from now on, complete.
     */
    void unsealed(final Segment segment) throws IOException {
        synchronized (sealedWithIndex) {
            sealedWithIndex.remove(segment);
        }
        synchronized (segment) {
            if (segment.index() == null) {
                segment.index(SegmentScanner.buildIndex(segment, segment.end(), indexIntervalBytes));
            }
        }
    }

    /**
     * Any thread: the index of {@code segment}, built from the file if it is not in memory. Built under the
     * segment's monitor, which a truncation of the segment also takes, so an index never outlives a cut.
     */
    SparseIndex indexOf(final Segment segment) throws IOException {
        SparseIndex index = segment.index();
        if (index != null) {
            synchronized (sealedWithIndex) {
                sealedWithIndex.get(segment); // marks it recently used
            }
            return index;
        }
        synchronized (segment) {
            index = segment.index();
            if (index == null) {
                index = SegmentScanner.buildIndex(segment, segment.end(), indexIntervalBytes);
                segment.index(index);
                synchronized (sealedWithIndex) {
                    // a truncation makes a segment active (publishes the list) before it unseals it: never let the
                    // active segment's index be dropped
                    if (segment != active()) {
                        sealedWithIndex.put(segment, Boolean.TRUE);
                    }
                }
            }
        }
        return index;
    }

    /** Writer: forgets {@code segments} (deleted by a truncation). */
    void forget(final Segment[] removed) {
        synchronized (sealedWithIndex) {
            for (final Segment segment : removed) {
                sealedWithIndex.remove(segment);
            }
        }
    }

    /** Bytes of all segment files' committed batches. */
    long bytes() {
        long total = 0;
        for (final Segment segment : all) {
            total += segment.end();
        }
        return total;
    }

    /** Memory held by the indexes. */
    long indexMemoryBytes() {
        long total = 0;
        for (final Segment segment : all) {
            final SparseIndex index = segment.index();
            total += index == null ? 0 : index.memoryBytes();
        }
        return total;
    }

    void close() throws IOException {
        IOException failure = null;
        for (final Segment segment : all) {
            try {
                segment.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return Arrays.toString(all);
    }
}
