package io.replog.node.secondary;

import java.util.function.LongConsumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.LogStore;
import io.replog.protocol.EntryRun;
import io.replog.protocol.Replicate;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secondary's copy of the log. Applies replicated entries idempotently by msg_id: an entry it already holds is
 * ignored, an entry that arrives before its predecessors is kept aside until the gap is filled, so the log only
 * ever holds (and shows) a contiguous prefix 1..lastId. Its position is what the secondary acknowledges.
 *
 * <p>What is kept aside is bounded, by distance ({@value #MAX_AHEAD_IDS} msg_ids past the prefix) and by bytes
 * ({@value #MAX_AHEAD_BYTES}); beyond either an entry is dropped, and the master's resend from the acknowledged
 * position brings it again.
 */
public final class ReplicaLog {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLog.class);
    /** How far past the contiguous prefix an entry may be kept aside: the master's window is far smaller. */
    static final long MAX_AHEAD_IDS = 262_144;
    /** Bytes of entries kept aside at most. */
    static final long MAX_AHEAD_BYTES = 64L << 20;

    /** Returned by {@link #apply} when the frame belongs to another log than the one held. */
    public static final long MISMATCH = -1;

    /** Told which entries are about to be cut, while they can still be read (to keep them). */
    @FunctionalInterface
    public interface CutListener {
        void cutting(long fromId, long toId);
    }

    private final LogStore store;
    private CutListener cutListener = (from, to) -> { };
    private LongConsumer advancedListener = position -> { };
    /** The epoch of the master whose probes arrive: a new one means entries kept aside may be of another history. */
    private long masterEpoch = -1;
    /** An entry kept aside: itself as a one-entry run, and the epoch it was written in. */
    private record Aside(ByteBuf run, long epoch) {
    }

    private final Long2ObjectHashMap<Aside> ahead = new Long2ObjectHashMap<>();
    private long aheadBytes;

    public ReplicaLog(final LogStore store) {
        this.store = store;
    }

    /** Told the new position after each applied frame (waiting READs). */
    public synchronized void advancedListener(final LongConsumer listener) {
        this.advancedListener = listener;
    }

    /** Who keeps what is cut (the secondary: a rollback file). */
    public synchronized void cutListener(final CutListener listener) {
        this.cutListener = listener;
    }

    public LogStore store() {
        return store;
    }

    /** Highest contiguous msg_id held. */
    public long lastId() {
        return store.lastId();
    }

    /**
     * Applies {@code frame}'s entries (does not release it), commits them as one batch, and returns the new
     * contiguous position (committed; durable once the store's {@link LogStore#durableId()} reaches it).
     * Synchronized because the log has a single writer while a reconnecting master may briefly use two
     * connections on different event loops; the lock is uncontended otherwise.
     */
    public synchronized long apply(final Replicate frame) {
        if (frame.logId() != store.logId()) {
            if (store.lastId() > 0 || !ahead.isEmpty()) {
                return MISMATCH;
            }
            if (store.logId() != 0) {
                LOG.info("replica: following a new log {} (was {}, held nothing)", Long.toHexString(frame.logId()),
                    Long.toHexString(store.logId()));
            }
            store.adoptLogId(frame.logId());
        }
        if (frame.count() == 0) {
            if (frame.epoch() != masterEpoch) {
                // a new master: entries kept aside came from an earlier one and may not be in its log
                masterEpoch = frame.epoch();
                dropAhead();
            }
            return store.lastId();
        }
        cutConflicts(frame);
        final long firstId = frame.firstId();
        final long next = store.appendedId() + 1;
        try {
            if (firstId <= next && frame.lastId() >= next && ahead.isEmpty()) {
                // the common case, live or catching up: skip what is already held, store the rest in bulk
                final ByteBuf run = frame.entries();
                int offset = run.readerIndex();
                for (long id = firstId; id < next; id++) {
                    offset += EntryRun.ENTRY_OVERHEAD + run.getInt(offset);
                }
                store.appendRun(run.slice(offset, run.writerIndex() - offset), (int) (frame.lastId() - next + 1),
                    frame.epoch());
            } else {
                EntryRun.forEach(frame.entries(), frame.count(),
                    (i, payload) -> applyOne(firstId + i, payload, frame.epoch()));
            }
        } finally {
            store.commit(); // whatever was staged, also when the log filled up halfway
            advancedListener.accept(store.lastId());
        }
        return store.lastId();
    }

    /**
     * Entries this log holds at the frame's msg_ids with another epoch than the frame's conflict with the master's
     * log (the master is the source of truth): they and everything after them are cut, the master's are stored.
     */
    private void cutConflicts(final Replicate frame) {
        final long overlapEnd = Math.min(frame.lastId(), store.appendedId());
        for (long id = frame.firstId(); id <= overlapEnd; id++) {
            if (store.epochAt(id) != frame.epoch()) {
                LOG.warn("replica: msg_id {} is of epoch {} here and of epoch {} in the master's log: cutting from it",
                    id, store.epochAt(id), frame.epoch());
                truncateAfter(id - 1);
                return;
            }
        }
    }

    private void dropAhead() {
        ahead.values().forEach(a -> a.run().release());
        ahead.clear();
        aheadBytes = 0;
    }

    private void applyOne(final long id, final ByteBuf payload, final long epoch) {
        final long last = store.appendedId();
        if (id <= last) {
            return; // a duplicate
        }
        final ByteBuf entry = Unpooled.buffer(EntryRun.ENTRY_OVERHEAD + payload.readableBytes());
        EntryRun.writeEntry(entry, payload);
        if (id > last + 1) {
            keepAside(id, new Aside(entry, epoch), last);
            return;
        }
        try {
            store.appendRun(entry, 1, epoch);
        } finally {
            entry.release();
        }
        Aside next;
        while (!ahead.isEmpty() && (next = ahead.remove(store.appendedId() + 1)) != null) {
            aheadBytes -= next.run().readableBytes() - EntryRun.ENTRY_OVERHEAD;
            try {
                store.appendRun(next.run(), 1, next.epoch());
            } finally {
                next.run().release();
            }
        }
    }

    private void keepAside(final long id, final Aside entry, final long last) {
        final int bytes = entry.run().readableBytes() - EntryRun.ENTRY_OVERHEAD;
        final Aside held = ahead.get(id);
        if (held != null && held.epoch() != entry.epoch()) {
            ahead.remove(id); // the same msg_id from a newer history: this one replaces it
            aheadBytes -= held.run().readableBytes() - EntryRun.ENTRY_OVERHEAD;
            held.run().release();
        }
        if (id - last > MAX_AHEAD_IDS || aheadBytes + bytes > MAX_AHEAD_BYTES
            || ahead.containsKey(id)) {
            entry.run().release();
            return; // dropped: the master resends from our acknowledged position
        }
        ahead.put(id, entry);
        aheadBytes += bytes;
    }

    /**
     * Keeps entries up to {@code afterId} and drops the rest, and what is kept aside: they conflict with the master's
     * log. Returns how many entries were cut; {@code beforeCut} sees them first (to keep them).
     */
    public synchronized long truncateAfter(final long afterId) {
        dropAhead();
        final long last = store.lastId();
        if (afterId >= last) {
            return 0;
        }
        cutListener.cutting(afterId + 1, last);
        store.truncateAfter(afterId);
        return last - afterId;
    }

    /** Identity of the log held, 0 before the first replication. */
    public long logId() {
        return store.logId();
    }

    /** Entries waiting for a gap before them to be filled. */
    public synchronized int aheadCount() {
        return ahead.size();
    }

    /** Bytes of the entries waiting for a gap before them to be filled. */
    public synchronized long aheadBytes() {
        return aheadBytes;
    }

    /** Releases what is kept aside; the store belongs to the node and stays open. */
    public synchronized void close() {
        ahead.values().forEach(a -> a.run().release());
        ahead.clear();
        aheadBytes = 0;
        LOG.debug("replica log closed");
    }
}
