package io.replog.protocol;

/**
 * APPEND_ENTRIES_REPLY (node mode): node {@code from}, in {@code epoch} (its own), answers an {@link AppendEntries}
 * (same request id), on its own connection to the master.
 *
 * <p>Accepted: its log matches the master's up to {@code acceptedId}, and durably up to {@code durableId} (only what
 * counts toward a write concern w). Refused (its log does not hold prev_id written in prev_epoch): where the master
 * should go on, by epoch (Kafka's KIP-101 leader-epoch rule, Raft's fast back-off): {@code conflictEpoch} is the
 * epoch of its entry at prev_id (0 when its log is shorter) and {@code conflictId} the first msg_id it holds of that
 * epoch (or its last msg_id + 1 when its log is shorter). Not reference counted.
 */
public record AppendEntriesReply(long requestId, int from, long epoch, boolean accepted, long acceptedId,
                                 long durableId, long conflictEpoch, long conflictId) implements Frame {
    /**
     * Body: from (i32), epoch (i64), accepted (u8: 1 or 0), accepted_id (i64), durable_id (i64), conflict_epoch
     * (i64), conflict_id (i64).
     */
    public static final int BODY_LENGTH = 45;

    @Override
    public byte type() {
        return FrameType.APPEND_ENTRIES_REPLY;
    }
}
