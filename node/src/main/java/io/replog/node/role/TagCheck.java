package io.replog.node.role;

import io.netty.buffer.ByteBuf;
import io.replog.protocol.ErrorCode;

import java.util.zip.CRC32C;

/**
 * Whether a tagged append sent again is the same message as the first time: its payload's CRC32C against the one
 * remembered with the tag (another message under a reused tag is refused with {@code TAG_REUSED}, not answered as if
 * it were stored). A checksum can only miss a difference, in about one reuse in 2^32; it never calls the same bytes
 * different.
 */
public final class TagCheck {
    private TagCheck() {
    }

    /** CRC32C of the readable bytes of {@code payload}, without moving its indexes. */
    public static int checksum(final ByteBuf payload) {
        final CRC32C crc = new CRC32C();
        crc.update(payload.nioBuffer(payload.readerIndex(), payload.readableBytes()));
        return (int) crc.getValue();
    }

    public static int checksum(final byte[] payload) {
        final CRC32C crc = new CRC32C();
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    /** The TAG_REUSED text: the tag, where its first message is, and that nothing was stored. */
    public static String reused(final long clientId, final long seq, final long msgId) {
        return "client_id " + clientId + " seq " + seq + " was stored as msg_id " + msgId + " with other bytes: a tag "
            + "names one message; this one was not stored (" + ErrorCode.name(ErrorCode.TAG_REUSED) + ")";
    }
}
