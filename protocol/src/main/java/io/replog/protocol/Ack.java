package io.replog.protocol;

/** ACK: the secondary holds every entry with msg_id ≤ {@code ackedId} (cumulative; 0 means none). */
public record Ack(long requestId, long ackedId) implements Frame {
    /** Body: acked_id (i64). */
    public static final int BODY_LENGTH = 8;

    @Override
    public byte type() {
        return FrameType.ACK;
    }
}
