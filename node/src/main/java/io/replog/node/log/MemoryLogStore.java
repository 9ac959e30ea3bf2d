package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.replog.protocol.EntryRun;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The in-memory log: a list of {@link LogSegment}s (bytes + offset index), not an object per message, so ten
 * million small messages cost little more than their bytes. Single writer, concurrent readers: the writer fills
 * the entry, then publishes it with a volatile write of {@link #lastId}; a reader reads {@code lastId} first and
 * then only touches entries up to it.
 */
public final class MemoryLogStore implements LogStore {
    /** Default segment size: large enough to amortise the index, small enough to not waste memory on a small log. */
    public static final int DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

    private final int segmentBytes;
    private final long maxBytes;
    /** Entry bytes stored (writer only): what the size limit is checked against. */
    private long bytesStored;
    /** The same for what is committed, published once per commit for metrics. */
    private volatile long committedBytes;
    private volatile long logId;
    /** Copy-on-write: replaced (never mutated) when a segment is added. */
    private volatile LogSegment[] segments = new LogSegment[0];
    private volatile long lastId;
    /** Staged or committed (writer only). */
    private long appended;
    private long epoch;
    private final EpochHistory epochs = new EpochHistory();
    private volatile LongConsumer durabilityListener;
    /** Marks committed (writer only): a commit of marks alone still reports durability. */
    private int committedMarks;
    private LogSegment active;

    public MemoryLogStore() {
        this(DEFAULT_SEGMENT_BYTES, Long.MAX_VALUE);
    }

    public MemoryLogStore(final int segmentBytes) {
        this(segmentBytes, Long.MAX_VALUE);
    }

    /** @param maxBytes refuse appends (with {@link LogFullException}) beyond this many bytes of entries */
    public MemoryLogStore(final int segmentBytes, final long maxBytes) {
        this(segmentBytes, maxBytes, newLogId());
    }

    /** @param logId the log's identity; 0 for a store that will follow another log ({@link #adoptLogId}) */
    public MemoryLogStore(final int segmentBytes, final long maxBytes, final long logId) {
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.logId = logId;
    }

    /** A random identity for a new log; never 0, which means "no log yet". */
    public static long newLogId() {
        return new java.security.SecureRandom().nextLong() | 1;
    }

    @Override
    public long logId() {
        return logId;
    }

    @Override
    public void adoptLogId(final long id) {
        if (appended > 0) {
            throw new IllegalStateException("the log holds " + lastId + " entries of log " + Long.toHexString(logId));
        }
        logId = id;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void startEpoch(final long newEpoch) {
        if (newEpoch <= Math.max(epoch, epochs.lastEpoch())) {
            throw new IllegalArgumentException("epoch " + newEpoch + " is not above the log's epoch "
                + Math.max(epoch, epochs.lastEpoch()));
        }
        if (appended != lastId) {
            throw new IllegalStateException("entries are staged");
        }
        epoch = newEpoch;
    }

    @Override
    public long epochAt(final long id) {
        return epochs.epochAt(id);
    }

    @Override
    public long[] epochHistory() {
        return epochs.toArray();
    }

    @Override
    public long endOfEpoch(final long e) {
        return epochs.endOf(e, lastId);
    }

    @Override
    public long lastId() {
        return lastId;
    }

    @Override
    public long appendedId() {
        return appended;
    }

    @Override
    public long durableId() {
        return lastId;
    }

    @Override
    public CutDamage damage() {
        return null;
    }

    @Override
    public void damageRepaired() {
        // nothing is ever cut: see damage()
    }

    @Override
    public String failure() {
        return null; // memory does not fail; a full log refuses single appends (LogFullException)
    }

    @Override
    public void failureListener(final Consumer<String> listener) {
        // never called: see failure()
    }

    @Override
    public void durabilityListener(final LongConsumer listener) {
        durabilityListener = listener;
    }

    @Override
    public long append(final ByteBuf payload) {
        final long id = appended + 1;
        final int length = payload.readableBytes();
        if (epoch < epochs.lastEpoch()) {
            // checked before anything is copied: a refusal after the copy would leave the segment one entry ahead
            throw new IllegalArgumentException("the log's last entry has epoch " + epochs.lastEpoch()
                + ", above this store's epoch " + epoch + ": start a new epoch before appending");
        }
        if (bytesStored + EntryRun.ENTRY_OVERHEAD + length > maxBytes) {
            throw new LogFullException("the log is full: " + bytesStored + " of " + maxBytes
                + " bytes used (--max-log-bytes)");
        }
        if (active == null || !active.fits(length)) {
            addSegment(id, length);
        }
        active.append(payload);
        bytesStored += EntryRun.ENTRY_OVERHEAD + length;
        epochs.entered(epoch, id);
        appended = id;
        return id;
    }

    @Override
    public long appendRun(final ByteBuf run, final int count, final long runEpoch) {
        if (runEpoch < epochs.lastEpoch()) {
            throw new IllegalArgumentException("entries of epoch " + runEpoch + " after entries of epoch "
                + epochs.lastEpoch());
        }
        final int total = run.readableBytes();
        if (bytesStored + total > maxBytes) {
            throw new LogFullException("the log is full: " + bytesStored + " of " + maxBytes
                + " bytes used, " + total + " more needed (--max-log-bytes)");
        }
        int index = run.readerIndex();
        int left = count;
        long id = appended;
        if (count > 0) {
            epochs.entered(runEpoch, id + 1);
        }
        while (left > 0) {
            final int firstLength = run.getInt(index);
            if (active == null || !active.fits(firstLength)) {
                addSegment(id + 1, firstLength);
            }
            // as many whole entries as the active segment takes, copied in one go
            final int usedBefore = active.bytesUsed();
            final int taken = active.appendRun(run, index, left);
            final int bytes = active.bytesUsed() - usedBefore;
            index += bytes;
            left -= taken;
            id += taken;
            bytesStored += bytes;
        }
        appended = id;
        return id;
    }

    @Override
    public void appendMark(final long markEpoch) {
        epochs.marked(markEpoch, appended + 1); // throws unless above every epoch held
    }

    @Override
    public long[] marks() {
        return epochs.marks();
    }

    @Override
    public int markCount() {
        return epochs.markCount();
    }

    @Override
    public int durableMarks() {
        return epochs.markCount(); // durable at once, as every entry in memory
    }

    @Override
    public void truncateAfter(final long lastKept, final int marksKept) {
        final long kept = Math.max(0, lastKept);
        final long[] restore = Arrays.copyOf(epochs.marksBefore(kept + 1), marksKept);
        if (epochs.marksBefore(kept + 1).length < marksKept) {
            throw new IllegalArgumentException("the log holds fewer than " + marksKept + " marks before msg_id "
                + (kept + 1));
        }
        truncateAfter(kept);
        epochs.truncateAfter(kept);
        for (final long markEpoch : restore) {
            epochs.marked(markEpoch, kept + 1);
        }
        committedMarks = epochs.markCount();
    }

    @Override
    public void commit() {
        if (lastId == appended && committedMarks == epochs.markCount()) {
            return;
        }
        committedMarks = epochs.markCount();
        lastId = appended;
        committedBytes = bytesStored;
        final LongConsumer listener = durabilityListener;
        if (listener != null) {
            listener.accept(appended);
        }
    }

    @Override
    public void truncateAfter(final long lastKept) {
        if (lastKept >= appended) {
            epochs.truncateAfter(Math.max(0, lastKept)); // marks before a msg_id after lastKept go
            committedMarks = Math.min(committedMarks, epochs.markCount());
            return;
        }
        final long kept = Math.max(0, lastKept);
        final LogSegment[] all = segments;
        int s = all.length;
        while (s > 0 && all[s - 1].firstId() > kept) {
            s--;
            bytesStored -= all[s].bytesUsed();
        }
        if (s > 0) {
            // bytes a reader may still hold are never overwritten: the next append opens a new segment
            bytesStored -= all[s - 1].bytesAfter(kept - all[s - 1].firstId() + 1);
        }
        segments = Arrays.copyOf(all, s);
        active = null;
        appended = kept;
        lastId = Math.min(lastId, kept);
        epochs.truncateAfter(kept);
        committedMarks = Math.min(committedMarks, epochs.markCount());
        committedBytes = bytesStored;
    }

    private void addSegment(final long firstId, final int payloadLength) {
        // a message larger than a segment gets a segment of its own size
        active = new LogSegment(firstId,
            Math.max(segmentBytes, EntryRun.ENTRY_OVERHEAD + payloadLength));
        final LogSegment[] grown = Arrays.copyOf(segments, segments.length + 1);
        grown[grown.length - 1] = active;
        segments = grown;
    }

    @Override
    public EntryRange read(final long fromId, final int maxCount, final int maxBytes) {
        final long last = lastId;
        if (fromId > last || maxCount <= 0) {
            return EntryRange.empty(fromId);
        }
        if (fromId < 1) {
            throw new IllegalArgumentException("msg_ids start at 1, asked for " + fromId);
        }
        final LogSegment[] all = segments;
        final int s = segmentOf(all, fromId);
        final long segmentLast = s + 1 < all.length ? all[s + 1].firstId() - 1 : last;
        final long epochLast = epochs.nextStartAfter(fromId) - 1;
        final int available = (int) (Math.min(Math.min(segmentLast, epochLast), last) - fromId + 1);
        final EntryRange range = all[s].read(fromId, available, maxCount, maxBytes);
        return new EntryRange(range.firstId(), range.count(), range.run(), epochs.epochAt(fromId));
    }

    private static int segmentOf(final LogSegment[] all, final long id) {
        int lo = 0;
        int hi = all.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (all[mid].firstId() <= id) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public long sizeBytes() {
        return committedBytes;
    }

    @Override
    public long memoryBytes() {
        long total = 0;
        for (final LogSegment segment : segments) {
            total += segment.memoryBytes();
        }
        return total;
    }

    @Override
    public void close() {
        // direct memory is returned to the JVM when the segments become unreachable
        segments = new LogSegment[0];
    }
}
