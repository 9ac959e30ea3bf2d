package io.replog.protocol;

/**
 * TRUNCATE: the master tells a secondary of log {@code logId} to keep its entries up to {@code afterId} and drop the
 * rest, because they conflict with the master's log (written in an epoch the master's history does not have at those
 * msg_ids). The secondary keeps what it cuts in a rollback file and answers with an ACK of its new end.
 */
public record Truncate(long requestId, long logId, long afterId) implements Frame {
    /** Body: log_id (i64), after_id (i64). */
    public static final int BODY_LENGTH = 16;

    @Override
    public byte type() {
        return FrameType.TRUNCATE;
    }
}
