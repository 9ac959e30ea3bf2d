package io.replog.protocol;

import io.netty.buffer.ByteBuf;

/**
 * An entry run is how consecutive messages travel in READ_OK bodies (and how the node's log store
 * keeps them): each entry is its length (u32) followed by that many payload bytes, with no padding. The msg_ids are
 * implied: the first entry has the frame's first_id, each next one the id after.
 */
public final class EntryRun {
    /** Bytes an entry needs beyond its payload. */
    public static final int ENTRY_OVERHEAD = 4;

    /** Receives one entry; {@code payload} is a slice valid only during the call. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(int index, ByteBuf payload);
    }

    private EntryRun() {
    }

    /** Appends one entry holding {@code payload}'s readable bytes, without consuming them. */
    public static void writeEntry(final ByteBuf out, final ByteBuf payload) {
        out.writeInt(payload.readableBytes());
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /** Appends one entry holding {@code payload}. */
    public static void writeEntry(final ByteBuf out, final byte[] payload) {
        out.writeInt(payload.length);
        out.writeBytes(payload);
    }

    /**
     * Checks that the readable bytes of {@code run} are exactly {@code count} well-formed entries.
     *
     * @throws ProtocolException with {@link ErrorCode#MALFORMED_FRAME} otherwise
     */
    public static void validate(final ByteBuf run, final int count, final long requestId) {
        if (count < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "negative entry count " + count);
        }
        int index = run.readerIndex();
        final int end = run.writerIndex();
        for (int i = 0; i < count; i++) {
            if (end - index < ENTRY_OVERHEAD) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    "entry run truncated at entry " + i + " of " + count);
            }
            final long length = run.getUnsignedInt(index);
            if (length > end - index - ENTRY_OVERHEAD) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    "entry " + i + " claims " + length + " bytes, " + (end - index - ENTRY_OVERHEAD) + " left");
            }
            index += ENTRY_OVERHEAD + (int) length;
        }
        if (index != end) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                (end - index) + " bytes after the last of " + count + " entries");
        }
    }

    /** Calls {@code consumer} for each of the {@code count} entries of a validated run, without consuming it. */
    public static void forEach(final ByteBuf run, final int count, final EntryConsumer consumer) {
        int index = run.readerIndex();
        for (int i = 0; i < count; i++) {
            final int length = run.getInt(index);
            consumer.accept(i, run.slice(index + ENTRY_OVERHEAD, length));
            index += ENTRY_OVERHEAD + length;
        }
    }
}
