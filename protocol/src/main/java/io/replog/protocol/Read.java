package io.replog.protocol;

/** READ: ask a node for up to {@code maxCount} messages starting at {@code fromId} (1 is the first message). */
public record Read(long requestId, long fromId, int maxCount) implements Frame {
    /** Body: from_id (i64), max_count (i32). */
    public static final int BODY_LENGTH = 12;

    @Override
    public byte type() {
        return FrameType.READ;
    }
}
