package io.replog.protocol;

/** APPEND_OK: the appended message got {@code msgId} and has as many copies as its write concern asked. */
public record AppendOk(long requestId, long msgId) implements Frame {
    /** Body: msg_id (i64). */
    public static final int BODY_LENGTH = 8;

    @Override
    public byte type() {
        return FrameType.APPEND_OK;
    }
}
