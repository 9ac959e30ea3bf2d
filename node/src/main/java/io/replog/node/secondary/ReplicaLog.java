package io.replog.node.secondary;

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
 */
public final class ReplicaLog {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLog.class);
    /** Entries kept aside at most; beyond that they are dropped and the master's resend fills the gap. */
    static final int MAX_AHEAD = 1_000_000;

    /** Returned by {@link #apply} when the frame belongs to another log than the one held. */
    public static final long MISMATCH = -1;

    private final LogStore store;
    /** Identity of the master's log these entries come from; 0 until the first REPLICATE. */
    private long logId;
    private final Long2ObjectHashMap<ByteBuf> ahead = new Long2ObjectHashMap<>();

    public ReplicaLog(final LogStore store) {
        this.store = store;
    }

    public LogStore store() {
        return store;
    }

    /** Highest contiguous msg_id held. */
    public long lastId() {
        return store.lastId();
    }

    /**
     * Applies {@code frame}'s entries (does not release it) and returns the new contiguous position.
     * Synchronized because the log has a single writer while a reconnecting master may briefly use two
     * connections on different event loops; the lock is uncontended otherwise.
     */
    public synchronized long apply(final Replicate frame) {
        if (frame.logId() != logId) {
            if (store.lastId() > 0 || !ahead.isEmpty()) {
                return MISMATCH;
            }
            if (logId != 0) {
                LOG.info("replica: following a new log {} (was {}, held nothing)", Long.toHexString(frame.logId()),
                    Long.toHexString(logId));
            }
            logId = frame.logId();
        }
        final long firstId = frame.firstId();
        final long next = store.lastId() + 1;
        if (firstId <= next && frame.lastId() >= next && ahead.isEmpty()) {
            // the common case, live or catching up: skip what is already held, store the rest in bulk
            final ByteBuf run = frame.entries();
            int offset = run.readerIndex();
            for (long id = firstId; id < next; id++) {
                offset += EntryRun.ENTRY_OVERHEAD + run.getInt(offset);
            }
            store.appendRun(run.slice(offset, run.writerIndex() - offset), (int) (frame.lastId() - next + 1));
            return store.lastId();
        }
        EntryRun.forEach(frame.entries(), frame.count(), (i, payload) -> applyOne(firstId + i, payload));
        return store.lastId();
    }

    private void applyOne(final long id, final ByteBuf payload) {
        final long last = store.lastId();
        if (id <= last) {
            return; // a duplicate
        }
        if (id > last + 1) {
            if (!ahead.containsKey(id) && ahead.size() < MAX_AHEAD) {
                ahead.put(id, Unpooled.copiedBuffer(payload));
            }
            return;
        }
        store.append(payload);
        if (!ahead.isEmpty()) {
            ByteBuf next;
            while ((next = ahead.remove(store.lastId() + 1)) != null) {
                store.append(next);
                next.release();
            }
            if (!ahead.isEmpty()) {
                // anything at or below the new position arrived twice; drop it
                ahead.entrySet().removeIf(e -> {
                    if (e.getKey() <= store.lastId()) {
                        e.getValue().release();
                        return true;
                    }
                    return false;
                });
            }
        }
    }

    /** Identity of the log held, 0 before the first replication. */
    public synchronized long logId() {
        return logId;
    }

    /** Entries waiting for a gap before them to be filled. */
    public synchronized int aheadCount() {
        return ahead.size();
    }

    public synchronized void close() {
        ahead.values().forEach(ByteBuf::release);
        ahead.clear();
        store.close();
        LOG.debug("replica log closed");
    }
}
