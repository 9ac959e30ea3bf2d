package io.replog.protocol;

import java.util.List;

/**
 * TAIL_REPLY (fixed roles): node {@code from}, in {@code epoch} (its own: the asking master's, or a higher one that
 * tells a stale master so), answers a {@link TailRequest} about {@code prevId} (same request id): its log ends at
 * {@code lastId}, written in {@code lastEpoch}; {@code matched} when it holds the master's entry at prev_id, and then
 * {@code entries}, when asked for, are its entries from prev_id + 1 on (a bounded batch; the master asks again for
 * more). Entries are laid out as in {@link AppendEntries}; a reply that is not matched carries none.
 *
 * <p>The entries' epochs never decrease and none exceeds {@code lastEpoch}, which does not exceed {@code epoch};
 * with entries, prev_id + count ≤ last_id (without, prev_id may be past last_id: a secondary behind the master's
 * log). A frame that breaks this is MALFORMED_FRAME. Not reference counted: the payloads are arrays copied out of
 * the frame on decode. The list is copied (unmodifiable) by the constructor.
 */
public record TailReply(long requestId, int from, long epoch, long lastEpoch, long lastId, long prevId,
                        boolean matched, List<PeerEntry> entries) implements Frame {
    /**
     * Body bytes before the entries: from (i32), epoch (i64), last_epoch (i64), last_id (i64), prev_id (i64),
     * matched (u8), count (i32).
     */
    public static final int FIXED_BODY_LENGTH = 41;

    public TailReply {
        entries = List.copyOf(entries);
    }

    @Override
    public byte type() {
        return FrameType.TAIL_REPLY;
    }

    /** Bytes of the body on the wire (fixed fields and every entry). */
    public int encodedBodyLength() {
        return PeerEntries.bodyLength(FIXED_BODY_LENGTH, entries, "TAIL_REPLY");
    }

    @Override
    public String toString() {
        return "TailReply[requestId=" + requestId + ", from=" + from + ", epoch=" + epoch + ", lastEpoch=" + lastEpoch
            + ", lastId=" + lastId + ", prevId=" + prevId + ", matched=" + matched + ", count=" + entries.size() + "]";
    }
}
