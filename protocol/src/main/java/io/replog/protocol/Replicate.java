package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * REPLICATE: {@code count} consecutive entries of log {@code logId} starting at {@code firstId}, as an entry run (see
 * {@link EntryRun}). A REPLICATE with count 0 carries no entries: it is the probe a sender uses to learn the
 * secondary's position and the heartbeat it sends when idle. Every REPLICATE is answered by an ACK.
 */
public final class Replicate extends DefaultByteBufHolder implements Frame {
    /** Body bytes before the entries: log_id (i64), first_id (i64), count (i32), epoch (i64). */
    public static final int FIXED_BODY_LENGTH = 28;

    private final long requestId;
    private final long logId;
    private final long firstId;
    private final int count;
    private final long epoch;

    /**
     * @param logId identity of the master's log, fixed when that log was created: a secondary holding entries of
     *              another log refuses the frame instead of mixing two histories
     * @param epoch the epoch in which every entry carried was first written (the master's current epoch on a probe)
     */
    public Replicate(final long requestId, final long logId, final long firstId, final int count, final long epoch,
                     final ByteBuf entries) {
        super(entries);
        this.epoch = epoch;
        this.requestId = requestId;
        this.logId = logId;
        this.firstId = firstId;
        this.count = count;
    }

    @Override
    public byte type() {
        return FrameType.REPLICATE;
    }

    @Override
    public long requestId() {
        return requestId;
    }

    public long logId() {
        return logId;
    }

    public long firstId() {
        return firstId;
    }

    public int count() {
        return count;
    }

    /** Epoch of the entries carried (of the master, on a probe or heartbeat). */
    public long epoch() {
        return epoch;
    }

    /** Id of the last entry carried, or {@code firstId - 1} for an empty run. */
    public long lastId() {
        return firstId + count - 1;
    }

    /** The entry run; owned by this frame. */
    public ByteBuf entries() {
        return content();
    }

    @Override
    public Replicate replace(final ByteBuf content) {
        return new Replicate(requestId, logId, firstId, count, epoch, content);
    }

    @Override
    public String toString() {
        return "Replicate[requestId=" + requestId + ", logId=" + Long.toHexString(logId) + ", firstId=" + firstId + ", count=" + count + ", epoch=" + epoch + "]";
    }
}
