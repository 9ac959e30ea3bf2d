package io.replog.protocol;

/**
 * TAIL_REQUEST (fixed roles): node {@code from}, a master starting its new {@code epoch}, asks a secondary where its
 * log ends and whether it holds the master's entry {@code prevId} written in {@code prevEpoch} (0 for prev_id 0);
 * flagged {@link #FLAG_WITH_ENTRIES}, also for the entries the secondary holds after prev_id (the master takes back
 * the tail it lost in a crash). The secondary adopts {@code epoch} durably before it answers with a
 * {@link TailReply} (same request id), which fences every earlier master. {@code logId}: the master's log, as in
 * {@link AppendEntries}. Not reference counted.
 */
public record TailRequest(long requestId, int from, long epoch, long prevId, long prevEpoch, long logId,
                          boolean withEntries) implements Frame {
    /** Header flag: send the entries after prev_id too, not only where the log ends. */
    public static final int FLAG_WITH_ENTRIES = 0x0001;

    /** Body: from (i32), epoch (i64), prev_id (i64), prev_epoch (i64), log_id (i64). */
    public static final int BODY_LENGTH = 36;

    @Override
    public byte type() {
        return FrameType.TAIL_REQUEST;
    }
}
