package io.replog.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of an {@link AppendEntries} frame: the epoch in which it was first written, its flags, the tag
 * (client_id, seq) of an idempotent append when {@link #FLAG_TAGGED} is set (both 0 otherwise), and the message
 * bytes. An {@link #FLAG_EPOCH_START} entry carries no message: it is the first entry a new master writes, of its
 * own epoch.
 *
 * <p>On the wire: epoch (i64), flags (u8), then when TAGGED client_id (i64) and seq (i64), then length (u32) and
 * that many bytes. The payload is a plain array, copied out of the frame on decode (these frames are not reference
 * counted); the constructor does not copy it, so do not change it afterwards. {@link #equals} and
 * {@link #hashCode} compare payloads by content.
 */
public record PeerEntry(long epoch, int flags, long clientId, long seq, byte[] payload) {
    /** The entry carries a tag: client_id (i64, ≠ 0) and seq (i64, ≥ 1) follow the flags. */
    public static final int FLAG_TAGGED = 0x01;
    /** The entry is the first one of a new master's epoch; it carries no message (length 0) and no tag. */
    public static final int FLAG_EPOCH_START = 0x02;
    /** Every flag this version knows; an entry with any other bit set is MALFORMED_FRAME. */
    public static final int KNOWN_FLAGS = FLAG_TAGGED | FLAG_EPOCH_START;
    /** Bytes of the tag, when TAGGED: client_id (i64), seq (i64). */
    public static final int TAG_LENGTH = 16;
    /** Bytes of the smallest entry: epoch (i64), flags (u8), length (u32); no tag, no payload. */
    public static final int MIN_LENGTH = 13;
    /** Bytes of an entry beyond its payload, at most: a tagged entry's. */
    public static final int MAX_OVERHEAD = MIN_LENGTH + TAG_LENGTH;

    private static final byte[] NOTHING = new byte[0];

    /**
     * @throws IllegalArgumentException for an entry the wire cannot carry: unknown flag bits, a TAGGED entry without
     *                                  client_id ≠ 0 and seq ≥ 1, an untagged one with a tag, an EPOCH_START entry
     *                                  with a tag or bytes
     */
    public PeerEntry {
        Objects.requireNonNull(payload, "payload");
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException(String.format("unknown entry flags 0x%02x", flags));
        }
        if ((flags & FLAG_TAGGED) != 0) {
            if (clientId == 0 || seq < 1) {
                throw new IllegalArgumentException("a tagged entry needs client_id != 0 and seq >= 1, got "
                    + clientId + "/" + seq);
            }
        } else if (clientId != 0 || seq != 0) {
            throw new IllegalArgumentException("an untagged entry has client_id 0 and seq 0, got " + clientId + "/"
                + seq);
        }
        if ((flags & FLAG_EPOCH_START) != 0 && ((flags & FLAG_TAGGED) != 0 || payload.length != 0)) {
            throw new IllegalArgumentException("an EPOCH_START entry carries no tag and no bytes");
        }
    }

    /** An untagged message written in {@code epoch}. */
    public static PeerEntry message(final long epoch, final byte[] payload) {
        return new PeerEntry(epoch, 0, 0, 0, payload);
    }

    /** A message written in {@code epoch}: tagged when {@code clientId} is not 0 (an idempotent append's tag). */
    public static PeerEntry message(final long epoch, final byte[] payload, final long clientId, final long seq) {
        return clientId == 0 ? message(epoch, payload) : tagged(epoch, clientId, seq, payload);
    }

    /** A tagged message (an idempotent append's {@code clientId}, {@code seq}) written in {@code epoch}. */
    public static PeerEntry tagged(final long epoch, final long clientId, final long seq, final byte[] payload) {
        return new PeerEntry(epoch, FLAG_TAGGED, clientId, seq, payload);
    }

    /** The first entry of a new master's {@code epoch}: no message. */
    public static PeerEntry epochStart(final long epoch) {
        return new PeerEntry(epoch, FLAG_EPOCH_START, 0, 0, NOTHING);
    }

    /** Whether the entry carries a tag (client_id, seq). */
    public boolean tagged() {
        return (flags & FLAG_TAGGED) != 0;
    }

    /** Whether the entry is the first of a new master's epoch (and carries no message). */
    public boolean epochStart() {
        return (flags & FLAG_EPOCH_START) != 0;
    }

    /** Bytes of this entry on the wire. */
    public int encodedLength() {
        return MIN_LENGTH + (tagged() ? TAG_LENGTH : 0) + payload.length;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof PeerEntry e && epoch == e.epoch && flags == e.flags && clientId == e.clientId
            && seq == e.seq && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, flags, clientId, seq) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return epochStart() ? "PeerEntry[epoch-start " + epoch + "]"
            : "PeerEntry[epoch " + epoch + ", " + payload.length + " bytes"
                + (tagged() ? ", tag " + clientId + "/" + seq : "") + "]";
    }
}
