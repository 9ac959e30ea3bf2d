package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameCodec#decode} at the edges of each field's range: the last value accepted and the first refused, and
 * every fixed-size body one byte short and one byte long. A decoder that reads past a short body would still fail
 * (the buffer runs out), but with an IndexOutOfBounds instead of the refusal that names the frame and the size, and
 * one that ignores trailing bytes would accept a frame the peer did not mean: so each refusal's text is checked.
 */
class FrameBoundaryTest {
    private static final long REQUEST_ID = 61;

    /** A length-stripped frame (what {@link FrameDecoder} sees) of {@code type} with {@code body}. */
    private static ByteBuf stripped(final byte type, final int flags, final byte[] body) {
        final ByteBuf buf = Unpooled.buffer();
        buf.writeByte(FrameHeader.VERSION);
        buf.writeByte(type);
        buf.writeShort(flags);
        buf.writeLong(REQUEST_ID);
        buf.writeBytes(body);
        return buf;
    }

    private static byte[] body(final Consumer<ByteBuf> writer) {
        final ByteBuf buf = Unpooled.buffer();
        writer.accept(buf);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private static Frame decode(final byte type, final int flags, final byte[] body) {
        final ByteBuf frame = stripped(type, flags, body);
        try {
            return FrameCodec.decode(frame);
        } finally {
            frame.release();
        }
    }

    private static ProtocolException refused(final byte type, final int flags, final byte[] body) {
        final ByteBuf frame = stripped(type, flags, body);
        try {
            return assertThrows(ProtocolException.class, () -> FrameCodec.decode(frame));
        } finally {
            frame.release();
        }
    }

    private static void assertRefused(final byte type, final int flags, final byte[] body, final String text) {
        final ProtocolException e = refused(type, flags, body);
        assertEquals(ErrorCode.MALFORMED_FRAME, e.code(), e.getMessage());
        assertEquals(REQUEST_ID, e.requestId());
        assertTrue(e.getMessage().contains(text), "'" + text + "' in: " + e.getMessage());
    }

    static Stream<Arguments> fixedSizeBodies() {
        return Stream.of(
            Arguments.of(FrameType.APPEND_OK, AppendOk.BODY_LENGTH),
            Arguments.of(FrameType.READ, Read.BODY_LENGTH),
            Arguments.of(FrameType.PING, 0),
            Arguments.of(FrameType.PONG, 0),
            Arguments.of(FrameType.HEALTH, 0),
            Arguments.of(FrameType.AUTH_HELLO, AuthHello.BODY_LENGTH),
            Arguments.of(FrameType.AUTH_CHALLENGE, AuthChallenge.BODY_LENGTH),
            Arguments.of(FrameType.AUTH_PROOF, AuthProof.BODY_LENGTH),
            Arguments.of(FrameType.AUTH_OK, 0));
    }

    @ParameterizedTest
    @MethodSource("fixedSizeBodies")
    void aFixedSizeBodyIsExactlyItsSize(final byte type, final int size) {
        final String name = FrameType.name(type);
        assertEquals(type, decode(type, 0, new byte[size]).type(), "the exact size decodes");
        assertRefused(type, 0, new byte[size + 1],
            name + " body of " + (size + 1) + " bytes, exactly " + size + " required");
        if (size > 0) {
            assertRefused(type, 0, new byte[size - 1],
                name + " body of " + (size - 1) + " bytes, exactly " + size + " required");
        }
    }

    @Test
    void aWaitingReadBodyIsExactlyItsSize() {
        assertEquals(new Read(REQUEST_ID, 0, 0, 0), decode(FrameType.READ, Read.FLAG_WAIT,
            new byte[Read.WAIT_BODY_LENGTH]));
        assertRefused(FrameType.READ, Read.FLAG_WAIT, new byte[Read.BODY_LENGTH],
            "READ body of 12 bytes, exactly 16 required");
    }

    @Test
    void theFramesWithAVariableBodyNeedTheirFixedFields() {
        assertRefused(FrameType.ERROR, 0, new byte[1], "ERROR body of 1 bytes, at least 2 required");
        assertEquals(new ErrorFrame(REQUEST_ID, (short) 0, ""), decode(FrameType.ERROR, 0, new byte[2]));
        assertRefused(FrameType.READ_OK, 0, new byte[ReadOk.FIXED_BODY_LENGTH - 1],
            "READ_OK body of 19 bytes, at least 20 required");
        assertRefused(FrameType.APPEND, 0, new byte[Append.FIXED_BODY_LENGTH - 1],
            "APPEND body of 7 bytes, at least 8 required");
        // tagged: the 16 tag bytes must be there as well
        assertRefused(FrameType.APPEND, Append.FLAG_TAGGED, new byte[Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH - 1],
            "APPEND body of 23 bytes, at least 24 required");
    }

    @Test
    void aTaggedAppendsSeqStartsAtOne() {
        final byte[] seqOne = body(b -> {
            b.writeByte(2);
            b.writeMedium(0);
            b.writeInt(100);
            b.writeLong(-9);
            b.writeLong(1);
            b.writeByte('x');
        });
        final Append append = assertInstanceOf(Append.class, decode(FrameType.APPEND, Append.FLAG_TAGGED, seqOne));
        assertEquals(-9, append.clientId());
        assertEquals(1, append.seq());
        assertEquals("x", append.payload().toString(StandardCharsets.UTF_8));
        append.release();
        seqOne[8 + 15] = 0; // seq 0
        assertRefused(FrameType.APPEND, Append.FLAG_TAGGED, seqOne,
            "a tagged APPEND needs client_id != 0 and seq >= 1");
    }

    @Test
    void aVoteRequestMayNameALastEntryOfItsOwnEpoch() {
        assertEquals(new VoteRequest(REQUEST_ID, 2, 5, 5, 9, true), decode(FrameType.VOTE_REQUEST,
            VoteRequest.FLAG_PRE_VOTE, body(b -> {
                b.writeInt(2);
                b.writeLong(5);
                b.writeLong(5);
                b.writeLong(9);
            })));
    }

    @Test
    void aTaggedEntryWithNoBytesMayEndAnAppendEntries() {
        // exactly tag + length left: the smallest tagged entry, last in the frame
        final byte[] frame = body(b -> {
            b.writeInt(2);
            b.writeLong(5);
            b.writeLong(0);
            b.writeLong(0);
            b.writeLong(0);
            b.writeLong(0); // log_id
            b.writeInt(1);
            b.writeLong(5);
            b.writeByte(PeerEntry.FLAG_TAGGED);
            b.writeLong(42);
            b.writeLong(1);
            b.writeInt(0);
        });
        final AppendEntries decoded = assertInstanceOf(AppendEntries.class,
            decode(FrameType.APPEND_ENTRIES, 0, frame));
        assertEquals(List.of(PeerEntry.tagged(5, 42, 1, new byte[0])), decoded.entries());
    }

    /** A READ_OK body (last_id 100) whose entry run {@code run} writes. */
    private static byte[] readOkBody(final long firstId, final int count, final Consumer<ByteBuf> run) {
        return body(b -> {
            b.writeLong(firstId);
            b.writeInt(count);
            b.writeLong(100);
            run.accept(b);
        });
    }

    @Test
    void anEmptyMessageMayEndAnEntryRun() {
        final ReadOk readOk = (ReadOk) decode(FrameType.READ_OK, 0, readOkBody(4, 2, b -> {
            EntryRun.writeEntry(b, new byte[] {'a'});
            EntryRun.writeEntry(b, new byte[0]);
        }));
        assertEquals(2, readOk.count());
        assertEquals(4 + 1 + 4, readOk.entries().readableBytes());
        readOk.release();
    }

    @Test
    void anEntryRunThatLiesIsRefusedWithWhereItLies() {
        // the second entry claims more than is left: the count is of what is left after the first entry
        assertRefused(FrameType.READ_OK, 0, readOkBody(1, 2, b -> {
            EntryRun.writeEntry(b, new byte[] {'a'});
            b.writeInt(5);
            b.writeBytes(new byte[] {'b', 'c'});
        }), "entry 1 claims 5 bytes, 2 left");
        assertRefused(FrameType.READ_OK, 0, readOkBody(1, 3, b -> {
            EntryRun.writeEntry(b, new byte[] {'a'});
            EntryRun.writeEntry(b, new byte[] {'b'});
            b.writeShort(0);
        }), "entry run truncated at entry 2 of 3");
        assertEquals("3 bytes after the last of 1 entries", refused(FrameType.READ_OK, 0, readOkBody(1, 1, b -> {
            EntryRun.writeEntry(b, new byte[] {'a'});
            b.writeBytes(new byte[] {'b', 'c', 'd'});
        })).getMessage());
        assertRefused(FrameType.READ_OK, 0, body(b -> {
            b.writeLong(1);
            b.writeInt(-1);
            b.writeLong(1);
        }), "negative entry count -1");
        // a well-formed run that does not start at the buffer's first byte validates the same
        final ByteBuf shifted = Unpooled.buffer();
        shifted.writeBytes(new byte[] {9, 9, 9});
        EntryRun.writeEntry(shifted, new byte[] {'a', 'b'});
        shifted.skipBytes(3);
        EntryRun.validate(shifted, 1, REQUEST_ID);
        final ProtocolException e = assertThrows(ProtocolException.class,
            () -> EntryRun.validate(shifted, 2, REQUEST_ID));
        assertTrue(e.getMessage().contains("entry run truncated at entry 1 of 2"), e.getMessage());
        shifted.release();
    }

    @Test
    void aFrameIsDecodedWhereverItStartsInItsBuffer() {
        final ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(new byte[] {7, 7, 7, 7, 7});
        buf.writeBytes(body(b -> {
            b.writeByte(FrameHeader.VERSION);
            b.writeByte(FrameType.APPEND_OK);
            b.writeShort(0);
            b.writeLong(REQUEST_ID);
            b.writeLong(11);
        }));
        buf.skipBytes(5);
        assertEquals(new AppendOk(REQUEST_ID, 11, false), FrameCodec.decode(buf));
        assertFalse(buf.isReadable());
        buf.release();
    }

    @Test
    void anUnsupportedVersionIsNamedAsTheUnsignedByteItIs() {
        final ByteBuf frame = Unpooled.buffer();
        frame.writeByte(0x82);
        frame.writeByte(FrameType.PING);
        frame.writeShort(0);
        frame.writeLong(REQUEST_ID);
        final ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.decode(frame));
        frame.release();
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals(REQUEST_ID, e.requestId());
        assertEquals("unsupported protocol version 130 (this node speaks 2)", e.getMessage());
    }

    @Test
    void anUnknownTypeIsNamedInHex() {
        final ProtocolException e = refused((byte) 0xA7, 0, new byte[0]);
        assertEquals(ErrorCode.UNKNOWN_TYPE, e.code());
        assertEquals("unknown frame type 0xa7", e.getMessage());
        assertEquals("0x17", FrameType.name((byte) 0x17));
    }

    @Test
    void anOversizedFrameIsNamedByItsLengthEvenWhenOnlyItsPrefixHasArrived() {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameLengthDecoder(100));
        final ByteBuf prefix = Unpooled.buffer();
        prefix.writeInt(101);
        final Exception e = assertThrows(ProtocolException.class, () -> channel.writeInbound(prefix));
        assertEquals("frame of 101 bytes exceeds the limit of 100 bytes (--max-frame-bytes)", e.getMessage());
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyOneByteShortOfTheLargestFrameIsStillOneFrame() {
        // entries sharing their payload arrays: 2 MB of memory stands for a body of 2 GB
        final int largest = Integer.MAX_VALUE - FrameHeader.HEADER_LENGTH;
        final byte[] oneMegabyteEntry = new byte[(1 << 20) - PeerEntry.MIN_LENGTH];
        final int whole = (largest - AppendEntries.FIXED_BODY_LENGTH) / (1 << 20);
        final int rest = largest - AppendEntries.FIXED_BODY_LENGTH - whole * (1 << 20);
        final List<PeerEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < whole; i++) {
            entries.add(PeerEntry.message(1, oneMegabyteEntry));
        }
        entries.add(PeerEntry.message(1, new byte[rest - PeerEntry.MIN_LENGTH]));
        assertEquals(largest, new AppendEntries(1, 1, 1, 0, 0, 0, entries).encodedBodyLength());
        entries.set(whole, PeerEntry.message(1, new byte[rest - PeerEntry.MIN_LENGTH + 1]));
        final AppendEntries tooLarge = new AppendEntries(1, 1, 1, 0, 0, 0, entries);
        final IllegalStateException e = assertThrows(IllegalStateException.class, tooLarge::encodedBodyLength);
        assertEquals("APPEND_ENTRIES body of " + (largest + 1L) + " bytes cannot be one frame", e.getMessage());
    }

    @Test
    void peerEntriesAreEqualByContentAndHashByIt() {
        final PeerEntry a = PeerEntry.tagged(3, 42, 7, new byte[] {'h', 'i'});
        final PeerEntry same = PeerEntry.tagged(3, 42, 7, new byte[] {'h', 'i'});
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        final List<PeerEntry> others = List.of(PeerEntry.tagged(4, 42, 7, new byte[] {'h', 'i'}),
            PeerEntry.tagged(3, 43, 7, new byte[] {'h', 'i'}), PeerEntry.tagged(3, 42, 8, new byte[] {'h', 'i'}),
            PeerEntry.tagged(3, 42, 7, new byte[] {'h', 'o'}), PeerEntry.message(3, new byte[] {'h', 'i'}));
        for (final PeerEntry other : others) {
            assertFalse(a.equals(other), other.toString());
            assertTrue(a.hashCode() != other.hashCode(), "hashes apart: " + other);
        }
        assertArrayEquals(new byte[0], PeerEntry.epochStart(2).payload());
    }
}
