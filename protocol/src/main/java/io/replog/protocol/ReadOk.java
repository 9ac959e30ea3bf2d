package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * READ_OK: {@code count} consecutive messages starting at {@code firstId}, as an entry run (see {@link EntryRun}),
 * and {@code lastId}, the highest msg_id the node could serve when it answered.
 */
public final class ReadOk extends DefaultByteBufHolder implements Frame {
    /** Body bytes before the entries: first_id (i64), count (i32), last_id (i64). */
    public static final int FIXED_BODY_LENGTH = 20;

    private final long requestId;
    private final long firstId;
    private final int count;
    private final long lastId;

    public ReadOk(final long requestId, final long firstId, final int count, final long lastId, final ByteBuf entries) {
        super(entries);
        this.requestId = requestId;
        this.firstId = firstId;
        this.count = count;
        this.lastId = lastId;
    }

    @Override
    public byte type() {
        return FrameType.READ_OK;
    }

    @Override
    public long requestId() {
        return requestId;
    }

    public long firstId() {
        return firstId;
    }

    public int count() {
        return count;
    }

    public long lastId() {
        return lastId;
    }

    /** The entry run; owned by this frame. */
    public ByteBuf entries() {
        return content();
    }

    @Override
    public ReadOk replace(final ByteBuf content) {
        return new ReadOk(requestId, firstId, count, lastId, content);
    }

    @Override
    public String toString() {
        return "ReadOk[requestId=" + requestId + ", firstId=" + firstId + ", count=" + count + ", lastId=" + lastId
            + "]";
    }
}
