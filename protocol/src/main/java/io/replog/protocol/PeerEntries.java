package io.replog.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
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

    /**
     * Writes the entry count and the entries, {@code entryBytes} of them as {@link #bodyLength} counted (the
     * caller's body minus its fixed part: not summed again per frame), through one {@link ByteBuffer} view of the
     * room they take (a ByteBuf checks its reference count and capacity on every accessor call: five per entry).
     */
    static void write(final ByteBuf buf, final List<PeerEntry> entries, final int entryBytes) {
        buf.writeInt(entries.size());
        buf.ensureWritable(entryBytes);
        if (buf.nioBufferCount() != 1) { // a view of several buffers would be a copy: write one, then copy it in
            final ByteBuffer out = ByteBuffer.allocate(entryBytes);
            put(out, entries);
            buf.writeBytes(out.flip());
            return;
        }
        put(buf.nioBuffer(buf.writerIndex(), entryBytes), entries); // shares the buffer's memory
        buf.writerIndex(buf.writerIndex() + entryBytes);
    }

    private static void put(final ByteBuffer out, final List<PeerEntry> entries) {
        for (final PeerEntry e : entries) {
            out.putLong(e.epoch());
            out.put((byte) e.flags());
            if (e.tagged()) {
                out.putLong(e.clientId());
                out.putLong(e.seq());
            }
            out.putInt(e.payload().length); // uint32
            out.put(e.payload());
        }
    }

    /** An entry's name in an error text; built only when one is thrown (a string per entry cost the decode). */
    private static String at(final String frame, final int i, final int count) {
        return frame + " entry " + i + " of " + count;
    }

    /**
     * Reads the entry count and that many entries, which must fill the rest of {@code frame} exactly; their epochs
     * never decrease, starting from {@code fromEpoch}, and none exceeds {@code maxEpoch}. The entries are read
     * through one {@link ByteBuffer} view of the frame: a ByteBuf checks its reference count on every accessor
     * call, which cost a follower more than the copying (six calls per 100-byte entry).
     */
    static List<PeerEntry> read(final ByteBuf frame, final long fromEpoch, final long maxEpoch, final byte type,
                                final long requestId) {
        final String name = FrameType.name(type);
        final int count = frame.readInt();
        if (count < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "negative entry count " + count);
        }
        final int size = frame.readableBytes();
        // before allocating anything count-sized: every entry takes at least MIN_LENGTH bytes
        if (count > size / PeerEntry.MIN_LENGTH) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, name + " count " + count
                + " does not fit the " + size + " bytes that follow (an entry takes at least "
                + PeerEntry.MIN_LENGTH + ")");
        }
        final ByteBuffer body = frame.nioBuffer(frame.readerIndex(), size); // big-endian, as the frame
        final List<PeerEntry> entries = new ArrayList<>(count);
        long lastEpoch = fromEpoch;
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (size - at < PeerEntry.MIN_LENGTH) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " truncated: " + (size - at) + " bytes left");
            }
            final long entryEpoch = body.getLong(at);
            final int flags = body.get(at + 8) & 0xff;
            at += 9;
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
                if (size - at < PeerEntry.TAG_LENGTH + EntryRun.ENTRY_OVERHEAD) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                        at(name, i, count) + " truncated: " + (size - at) + " bytes left for its tag and length");
                }
                clientId = body.getLong(at);
                seq = body.getLong(at + 8);
                at += PeerEntry.TAG_LENGTH;
                if (clientId == 0 || seq < 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                        at(name, i, count) + " is TAGGED and needs client_id != 0 and seq >= 1");
                }
            }
            final long length = body.getInt(at) & 0xffffffffL;
            at += EntryRun.ENTRY_OVERHEAD;
            if (length > size - at) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " claims " + length + " bytes, " + (size - at) + " left");
            }
            if (epochStart && length != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    at(name, i, count) + " is EPOCH_START with " + length
                        + " bytes: an EPOCH_START entry carries no message");
            }
            final byte[] payload = new byte[(int) length];
            body.get(at, payload);
            at += (int) length;
            entries.add(new PeerEntry(entryEpoch, flags, clientId, seq, payload));
            lastEpoch = entryEpoch;
        }
        frame.skipBytes(at);
        if (frame.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                frame.readableBytes() + " bytes after the last of " + count + " " + name + " entries");
        }
        return entries;
    }
}
