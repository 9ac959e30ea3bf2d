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

    private final long requestId;
    private final int w;
    private final int timeoutMs;

    public Append(final long requestId, final int w, final int timeoutMs, final ByteBuf payload) {
        super(payload);
        this.requestId = requestId;
        this.w = w;
        this.timeoutMs = timeoutMs;
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

    public int timeoutMs() {
        return timeoutMs;
    }

    /** The message bytes; owned by this frame. */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public Append replace(final ByteBuf content) {
        return new Append(requestId, w, timeoutMs, content);
    }

    @Override
    public String toString() {
        return "Append[requestId=" + requestId + ", w=" + w + ", timeoutMs=" + timeoutMs
            + ", bytes=" + content().readableBytes() + "]";
    }
}
