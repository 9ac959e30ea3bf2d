package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * APPEND: one message to add to the log with write concern {@code w}.
 * A {@code timeoutMs} of 0 waits for the write concern without limit.
 */
public final class Append extends DefaultByteBufHolder implements Frame {
    /** Body bytes before the payload: w (u8), 3 reserved bytes, timeout_ms (u32). */
    public static final int FIXED_BODY_LENGTH = 8;
    /** Header flag: the body carries client_id and seq after timeout_ms (an idempotent append). */
    public static final int FLAG_TAGGED = 0x0001;
    /** Body bytes the tag adds: client_id (i64), seq (i64). */
    public static final int TAG_LENGTH = 16;

    private final long requestId;
    private final int w;
    private final long timeoutMs;
    private final long clientId;
    private final long seq;

    /** An untagged append. */
    public Append(final long requestId, final int w, final long timeoutMs, final ByteBuf payload) {
        this(requestId, w, timeoutMs, 0, 0, payload);
    }

    /**
     * A tagged (idempotent) append when {@code clientId != 0}: the master answers a re-sent (client_id, seq) with
     * the msg_id it gave the first time instead of storing the message twice.
     */
    public Append(final long requestId, final int w, final long timeoutMs, final long clientId, final long seq,
                  final ByteBuf payload) {
        super(payload);
        this.requestId = requestId;
        this.w = w;
        this.timeoutMs = timeoutMs;
        this.clientId = clientId;
        this.seq = seq;
    }

    public boolean tagged() {
        return clientId != 0;
    }

    public long clientId() {
        return clientId;
    }

    public long seq() {
        return seq;
    }

    @Override
    public byte type() {
        return FrameType.APPEND;
    }

    @Override
    public long requestId() {
        return requestId;
    }

    public int w() {
        return w;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    /** The message bytes; owned by this frame. */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public Append replace(final ByteBuf content) {
        return new Append(requestId, w, timeoutMs, clientId, seq, content);
    }

    @Override
    public String toString() {
        return "Append[requestId=" + requestId + ", w=" + w + ", timeoutMs=" + timeoutMs
            + (tagged() ? ", clientId=" + clientId + ", seq=" + seq : "") + ", bytes=" + content().readableBytes() + "]";
    }
}
