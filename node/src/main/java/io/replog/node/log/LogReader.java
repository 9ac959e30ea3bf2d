package io.replog.node.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.function.LongSupplier;

/**
 * The read side of a {@link FileLogStore}, for any number of threads beside the writer: a read takes the last
 * committed id first and touches nothing beyond it; it is served from the tail cache ({@link RecentBatches}) when
 * it can, else from the segment holding its first id ({@link SegmentReader}), one epoch and one segment per read.
 *
 * <p><b>Truncation beside readers</b> (rare: a secondary cutting a conflicting tail): the writer bumps a counter
 * before it cuts files and again after. A read that saw the counter odd, or changed by the time it finished,
 * discards what it read, even a failure (a deleted file, a batch cut under it), and returns an empty range; callers
 * read again. So a read racing a cut returns nothing, never bytes the cut or a later append changed.
 */
final class LogReader {
    private final Segments segments;
    private final EpochHistory epochs;
    private final RecentBatches cache;
    private final LongSupplier lastId;
    /** Odd while a truncation cuts files; each truncation adds 2. */
    private volatile int truncations;
    private volatile boolean closed;
    /** Tests only: runs in a file read between choosing the segment and reading it, to stage a race. */
    volatile Runnable beforeFileRead;

    LogReader(final Segments segments, final EpochHistory epochs, final RecentBatches cache,
              final LongSupplier lastId) {
        this.segments = segments;
        this.epochs = epochs;
        this.cache = cache;
        this.lastId = lastId;
    }

    /** Writer: a truncation starts cutting files. */
    void cutting() {
        truncations++;
    }

    /** Writer: the truncation is done. */
    void cut() {
        truncations++;
    }

    /** The store closed its files: a closed channel is final, not something to read again. */
    void closed() {
        closed = true;
    }

    EntryRange read(final long fromId, final int maxCount, final int maxBytes) {
        if (fromId < 1) {
            throw new IllegalArgumentException("msg_ids start at 1, asked for " + fromId);
        }
        final int generation = truncations;
        final long last = lastId.getAsLong();
        if (fromId > last || maxCount <= 0 || (generation & 1) != 0) {
            return EntryRange.empty(fromId);
        }
        final long limit = Math.min(last, epochs.nextStartAfter(fromId) - 1);
        EntryRange range;
        try {
            range = cache.read(fromId, limit, maxCount, maxBytes);
            if (range == null) {
                range = readFile(fromId, limit, maxCount, maxBytes);
            }
        } catch (IOException | RuntimeException e) {
            if (truncations != generation) {
                return EntryRange.empty(fromId); // the files changed under the read: it failed for that
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        if (truncations != generation) {
            range.run().release();
            return EntryRange.empty(fromId);
        }
        return range;
    }

    private EntryRange readFile(final long fromId, final long limit, final int maxCount, final int maxBytes)
        throws IOException {
        final Segment[] all = segments.all();
        final int s = Segments.find(all, fromId);
        final long last = Math.min(limit, s + 1 < all.length ? all[s + 1].baseId() - 1 : limit);
        final Runnable hook = beforeFileRead;
        if (hook != null) {
            hook.run();
        }
        try {
            try {
                return SegmentReader.read(segments, all[s], fromId, last, maxCount, maxBytes);
            } catch (ClosedChannelException e) {
                if (closed || e instanceof ClosedByInterruptException) {
                    throw e;
                }
                // another thread's interrupt closed the channel under this read: once more, on the reopened channel
                return SegmentReader.read(segments, all[s], fromId, last, maxCount, maxBytes);
            }
        } catch (IOException e) {
            throw new IOException("reading msg_id " + fromId + " from " + all[s].path() + " failed: " + e, e);
        }
    }
}
