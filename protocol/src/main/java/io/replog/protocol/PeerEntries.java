package io.replog.protocol;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The entries that APPEND_ENTRIES and TAIL_REPLY carry, laid out the same way in both (PROTOCOL.md, Entries of
 * APPEND_ENTRIES): their length, their encoding, and their decoding with the checks both frames share.
 */
final class PeerEntries {
    private PeerEntries() {
    }

    /** {@code fixed} body bytes plus every entry's. */
    static int bodyLength(final int fixed, final List<PeerEntry> entries, final String frame) {
        long length = fixed;
        for (final PeerEntry entry : entries) {
            length += entry.encodedLength();
        }
        if (length > Integer.MAX_VALUE - FrameHeader.HEADER_LENGTH) {
            throw new IllegalStateException(frame + " body of " + length + " bytes cannot be one frame");
        }
        return (int) length;
    }

    static void write(final ByteBuf buf, final List<PeerEntry> entries) {
        buf.writeInt(entries.size());
        for (final PeerEntry e : entries) {
            buf.writeLong(e.epoch());
            buf.writeByte(e.flags());
            if (e.tagged()) {
                buf.writeLong(e.clientId());
                buf.writeLong(e.seq());
            }
            buf.writeInt(e.payload().length); // uint32
            buf.writeBytes(e.payload());
        }
    }

    /** An entry's name in an error text; built only when one is thrown (a string per entry cost the decode). */
    private static String at(final String frame, final int i, final int count) {
        return frame + " entry " + i + " of " + count;
    }

    /**
     * Reads the entry count and that many entries, which must fill the rest of {@code frame} exactly; their epochs
     * never decrease, starting from {@code fromEpoch}, and none exceeds {@code maxEpoch}.
     */
    static List<PeerEntry> read(final ByteBuf frame, final long fromEpoch, final long maxEpoch, final byte type,
                                final long requestId) {
        final String name = FrameType.name(type);
        final int count = frame.readInt();
        if (count < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "negative entry count " + count);
        }
        // before allocating anything count-sized: every entry takes at least MIN_LENGTH bytes
        if (count > frame.readableBytes() / PeerEntry.MIN_LENGTH) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, name + " count " + count
                + " does not fit the " + frame.readableBytes() + " bytes that follow (an entry takes at least "
                + PeerEntry.MIN_LENGTH + ")");
        }
        final List<PeerEntry> entries = new ArrayList<>(count);
        long lastEpoch = fromEpoch;
        for (int i = 0; i < count; i++) {
            if (frame.readableBytes() < PeerEntry.MIN_LENGTH) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " truncated: " + frame.readableBytes() + " bytes left");
            }
            final long entryEpoch = frame.readLong();
            final int flags = frame.readUnsignedByte();
            if ((flags & ~PeerEntry.KNOWN_FLAGS) != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + String.format(" has unknown flags 0x%02x", flags));
            }
            if (entryEpoch < lastEpoch) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, at(name, i, count) + " is of epoch "
                    + entryEpoch + ", after epoch " + lastEpoch + ": epochs never decrease along a log");
            }
            if (entryEpoch > maxEpoch) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " is of epoch " + entryEpoch + ", above the frame's epoch " + maxEpoch);
            }
            final boolean tagged = (flags & PeerEntry.FLAG_TAGGED) != 0;
            final boolean epochStart = (flags & PeerEntry.FLAG_EPOCH_START) != 0;
            if (epochStart && tagged) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " is EPOCH_START and TAGGED: an EPOCH_START entry carries no message");
            }
            long clientId = 0;
            long seq = 0;
            if (tagged) {
                if (frame.readableBytes() < PeerEntry.TAG_LENGTH + EntryRun.ENTRY_OVERHEAD) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                        at(name, i, count) + " truncated: " + frame.readableBytes()
                            + " bytes left for its tag and length");
                }
                clientId = frame.readLong();
                seq = frame.readLong();
                if (clientId == 0 || seq < 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                        at(name, i, count) + " is TAGGED and needs client_id != 0 and seq >= 1");
                }
            }
            final long length = frame.readUnsignedInt();
            if (length > frame.readableBytes()) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " claims " + length + " bytes, " + frame.readableBytes() + " left");
            }
            if (epochStart && length != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " is EPOCH_START with " + length
                        + " bytes: an EPOCH_START entry carries no message");
            }
            final byte[] payload = new byte[(int) length];
            frame.readBytes(payload);
            entries.add(new PeerEntry(entryEpoch, flags, clientId, seq, payload));
            lastEpoch = entryEpoch;
        }
        if (frame.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                frame.readableBytes() + " bytes after the last of " + count + " " + name + " entries");
        }
        return entries;
    }
}
