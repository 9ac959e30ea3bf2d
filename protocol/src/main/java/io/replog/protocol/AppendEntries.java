package io.replog.protocol;

import java.util.List;

/**
 * APPEND_ENTRIES (node mode): node {@code from}, master of {@code epoch}, sends the entries that follow msg_id
 * {@code prevId} in its log, where msg_id {@code prevId} was written in {@code prevEpoch} (0 for prev_id 0): the
 * receiver appends them only when its own log holds prev_id written in prev_epoch, and answers with an
 * {@link AppendEntriesReply} (same request id) on its own connection to the master. The entries have msg_ids
 * prevId + 1, prevId + 2, …; none is a heartbeat. {@code commitId}: the highest msg_id a majority holds.
 * {@code logId}: the master's log; a receiver that holds entries of another log refuses with LOG_MISMATCH, an empty
 * one adopts it (0: names no log).
 *
 * <p>The entries' epochs never decrease (from prev_epoch on) and none exceeds {@code epoch}; a frame that breaks
 * this is MALFORMED_FRAME. This frame is <b>not reference counted</b>: the payloads are arrays copied out of the
 * frame on decode, and nothing needs releasing. The list is copied (unmodifiable) by the constructor.
 */
public record AppendEntries(long requestId, int from, long epoch, long prevId, long prevEpoch, long commitId,
                            long logId, List<PeerEntry> entries) implements Frame {
    /**
     * Body bytes before the entries: from (i32), epoch (i64), prev_id (i64), prev_epoch (i64), commit_id (i64),
     * log_id (i64), count (i32).
     */
    public static final int FIXED_BODY_LENGTH = 48;

    public AppendEntries {
        entries = List.copyOf(entries);
    }

    /** One that names no log ({@code logId} 0: the receiver does not check it). */
    public AppendEntries(final long requestId, final int from, final long epoch, final long prevId,
                         final long prevEpoch, final long commitId, final List<PeerEntry> entries) {
        this(requestId, from, epoch, prevId, prevEpoch, commitId, 0, entries);
    }

    /** Largest message payload that fits an APPEND_ENTRIES frame under {@code maxFrameLength}, as one tagged entry. */
    public static int maxPayload(final int maxFrameLength) {
        return maxFrameLength - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD - FIXED_BODY_LENGTH
            - PeerEntry.MAX_OVERHEAD;
    }

    @Override
    public byte type() {
        return FrameType.APPEND_ENTRIES;
    }

    /** Whether this carries no entries: a heartbeat. */
    public boolean heartbeat() {
        return entries.isEmpty();
    }

    /** msg_id of the last entry carried, or {@code prevId} for a heartbeat. */
    public long lastId() {
        return prevId + entries.size();
    }

    /**
     * Bytes of the body on the wire (fixed fields and every entry); the frame's Frame Length is 12 more, and the
     * whole frame with its length prefix 16 more. Checked against the receiver's limit like any other frame.
     *
     * @throws IllegalStateException when the entries could not fit any frame
     */
    public int encodedBodyLength() {
        return PeerEntries.bodyLength(FIXED_BODY_LENGTH, entries, "APPEND_ENTRIES");
    }

    @Override
    public String toString() {
        return "AppendEntries[requestId=" + requestId + ", from=" + from + ", epoch=" + epoch + ", prevId=" + prevId
            + ", prevEpoch=" + prevEpoch + ", commitId=" + commitId + ", logId=" + Long.toHexString(logId) + ", count="
            + entries.size() + "]";
    }
}
