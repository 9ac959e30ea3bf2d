package io.replog.protocol;

/**
 * APPEND_OK: the appended message got {@code msgId} and has as many copies as its write concern asked. With {@code
 * duplicate} (flag {@link #FLAG_DUPLICATE}) the append was a tagged one sent again: nothing new was stored, {@code
 * msgId} is where its first copy is (NATS JetStream's {@code duplicate} in a publish acknowledgement).
 */
public record AppendOk(long requestId, long msgId, boolean duplicate) implements Frame {
    /** Body: msg_id (i64). */
    public static final int BODY_LENGTH = 8;
    /** Flag: the (client_id, seq) tag was stored before, with the same bytes; nothing new was stored. */
    public static final int FLAG_DUPLICATE = 0x0001;

    /** A message stored now (not a duplicate). */
    public AppendOk(final long requestId, final long msgId) {
        this(requestId, msgId, false);
    }

    @Override
    public byte type() {
        return FrameType.APPEND_OK;
    }
}
