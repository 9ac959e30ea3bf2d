package io.replog.protocol;

/**
 * ACK: the secondary holds every entry with msg_id ≤ {@code ackedId} (cumulative; 0 means none), durably under its
 * flush policy, and the entry at {@code ackedId} was written in epoch {@code lastEpoch} (0 when it holds none): the
 * master checks the secondary's history against its own with it.
 */
public record Ack(long requestId, long ackedId, long lastEpoch) implements Frame {
    /** Body: acked_id (i64), last_epoch (i64). */
    public static final int BODY_LENGTH = 16;

    @Override
    public byte type() {
        return FrameType.ACK;
    }
}
