package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCounted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every frame type round-trips through the real pipeline codec, including when its bytes arrive in fragments. */
class FrameCodecTest {
    private static final int MAX_FRAME = 64 * 1024;

    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        ProtocolPipeline.addCodec(channel.pipeline(), MAX_FRAME);
    }

    @AfterEach
    void tearDown() {
        assertFalse(channel.finish(), "nothing may be left in the channel");
    }

    /** Encodes {@code frame} through the pipeline, feeds the bytes back in {@code fragment}-sized pieces. */
    private Frame roundTrip(final Frame frame, final int fragment) {
        assertTrue(channel.writeOutbound(frame));
        final ByteBuf wire = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(Math.min(fragment, wire.readableBytes())));
        }
        wire.release();
        final Frame decoded = channel.readInbound();
        assertNull(channel.readInbound(), "exactly one frame");
        return decoded;
    }

    private static ByteBuf run(final String... messages) {
        final ByteBuf run = Unpooled.buffer();
        for (final String m : messages) {
            EntryRun.writeEntry(run, m.getBytes(StandardCharsets.UTF_8));
        }
        return run;
    }

    private static List<String> texts(final ByteBuf run, final int count) {
        final List<String> out = new ArrayList<>();
        EntryRun.forEach(run, count, (i, p) -> out.add(p.toString(StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void appendRoundTrips() {
        for (final int fragment : new int[] {1, 3, 1000}) {
            final Append decoded = (Append) roundTrip(
                new Append(42, 3, 250, Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)), fragment);
            assertEquals(42, decoded.requestId());
            assertEquals(3, decoded.w());
            assertEquals(250, decoded.timeoutMs());
            assertEquals("hello", decoded.payload().toString(StandardCharsets.UTF_8));
            decoded.release();
        }
    }

    @Test
    void timeoutMsIsAnUnsigned32BitNumberOverItsWholeRange() {
        // documented uint32: 2^31 and above are long timeouts, not a malformed frame
        for (final long timeoutMs : new long[] {1L << 31, 0xFFFF_FFFFL}) {
            final Append decoded = (Append) roundTrip(new Append(1, 1, timeoutMs, Unpooled.EMPTY_BUFFER), 7);
            assertEquals(timeoutMs, decoded.timeoutMs());
            decoded.release();
        }
    }

    @Test
    void taggedAppendRoundTrips() {
        final Append decoded = (Append) roundTrip(
            new Append(4, 2, 0, -77L, 12, Unpooled.copiedBuffer("again", StandardCharsets.UTF_8)), 5);
        assertTrue(decoded.tagged());
        assertEquals(-77L, decoded.clientId());
        assertEquals(12, decoded.seq());
        assertEquals("again", decoded.payload().toString(StandardCharsets.UTF_8));
        decoded.release();
    }

    @Test
    void largeAppendTakesTheZeroCopyPathAndRoundTrips() {
        final byte[] big = new byte[FrameCodec.ZERO_COPY_THRESHOLD * 5];
        new Random(1).nextBytes(big);
        final Append decoded = (Append) roundTrip(new Append(7, 1, 0, Unpooled.wrappedBuffer(big)), 4096);
        assertArrayEquals(big, ByteBufUtil.getBytes(decoded.payload()));
        decoded.release();
    }

    @Test
    void emptyAppendRoundTrips() {
        final Append decoded = (Append) roundTrip(new Append(1, 1, 0, Unpooled.EMPTY_BUFFER), 5);
        assertEquals(0, decoded.payload().readableBytes());
        decoded.release();
    }

    @Test
    void appendOkRoundTrips() {
        assertEquals(new AppendOk(9, 123456789012L), roundTrip(new AppendOk(9, 123456789012L), 2));
    }

    @Test
    void readRoundTrips() {
        assertEquals(new Read(5, 17, 1000), roundTrip(new Read(5, 17, 1000), 7));
    }

    @Test
    void aWaitingReadRoundTripsWithItsWait() {
        // the largest wait the u32 field carries survives as a positive long
        assertEquals(new Read(5, 17, 1000, 30_000), roundTrip(new Read(5, 17, 1000, 30_000), 7));
        assertEquals(new Read(6, 1, 1, 0xffff_ffffL), roundTrip(new Read(6, 1, 1, 0xffff_ffffL), 7));
    }

    @Test
    void readOkRoundTrips() {
        final ReadOk decoded = (ReadOk) roundTrip(new ReadOk(3, 10, 3, 99, run("a", "", "ccc")), 3);
        assertEquals(3, decoded.requestId());
        assertEquals(10, decoded.firstId());
        assertEquals(3, decoded.count());
        assertEquals(99, decoded.lastId());
        assertEquals(List.of("a", "", "ccc"), texts(decoded.entries(), decoded.count()));
        decoded.release();
    }

    @Test
    void errorRoundTripsWithUnicodeText() {
        final ErrorFrame error = new ErrorFrame(6, ErrorCode.NOT_MASTER, "nicht der Master — ☃");
        assertEquals(error, roundTrip(error, 3));
    }

    @Test
    void healthAndItsAnswerRoundTrip() {
        assertEquals(new Health(3), roundTrip(new Health(3), 2));
        final HealthOk ok = new HealthOk(3, "{\"role\":\"master\",\"note\":\"☃\"}");
        assertEquals(ok, roundTrip(ok, 5));
    }

    @Test
    void pingAndPongRoundTrip() {
        assertEquals(new Ping(1), roundTrip(new Ping(1), 1));
        assertEquals(new Pong(2), roundTrip(new Pong(2), 16));
    }

    @Test
    void voteRequestAndVoteReplyRoundTrip() {
        for (final int fragment : new int[] {1, 5, 1000}) {
            final VoteRequest request = new VoteRequest(-21, 3, 9, 8, 1234567890123L);
            final VoteRequest decoded = assertInstanceOf(VoteRequest.class, roundTrip(request, fragment));
            assertEquals(request, decoded);
            assertEquals(3, decoded.from());
            assertEquals(9, decoded.epoch());
            assertEquals(8, decoded.lastEpoch());
            assertEquals(1234567890123L, decoded.lastId());
        }
        assertEquals(new VoteRequest(1, 1, 1, 0, 0), roundTrip(new VoteRequest(1, 1, 1, 0, 0), 3), "empty log");
        final VoteRequest pre = new VoteRequest(5, 2, 7, 6, 40, true);
        assertEquals(pre, roundTrip(pre, 3), "a pre-vote stays one");
        assertEquals(new VoteReply(5, 3, 7, true, true), roundTrip(new VoteReply(5, 3, 7, true, true), 3));
        final io.netty.buffer.ByteBuf wire = io.netty.buffer.Unpooled.buffer();
        FrameCodec.writeHeader(wire, FrameType.VOTE_REQUEST, VoteRequest.FLAG_PRE_VOTE, 5, VoteRequest.BODY_LENGTH);
        assertEquals(1, wire.getUnsignedShort(6), "the flag travels in the header's flags field");
        wire.release();
        assertEquals(new VoteReply(21, 2, 9, true), roundTrip(new VoteReply(21, 2, 9, true), 3));
        assertEquals(new VoteReply(22, Integer.MAX_VALUE, 10, false),
            roundTrip(new VoteReply(22, Integer.MAX_VALUE, 10, false), 7));
    }

    @Test
    void appendEntriesRoundTripsWithEveryKindOfEntry() {
        final byte[] big = new byte[FrameCodec.ZERO_COPY_THRESHOLD * 3];
        new Random(2).nextBytes(big);
        final List<PeerEntry> entries = List.of(
            PeerEntry.message(4, "plain".getBytes(StandardCharsets.UTF_8)),
            PeerEntry.tagged(4, -77L, 12, big),
            PeerEntry.epochStart(6),
            PeerEntry.message(6, new byte[0]),
            PeerEntry.tagged(6, Long.MAX_VALUE, Long.MAX_VALUE, "again".getBytes(StandardCharsets.UTF_8)));
        for (final int fragment : new int[] {1, 7, 100_000}) {
            final AppendEntries sent = new AppendEntries(31, 2, 6, 40, 3, 38, entries);
            final AppendEntries decoded = assertInstanceOf(AppendEntries.class, roundTrip(sent, fragment));
            assertEquals(sent, decoded, "payloads compared by content");
            assertEquals(2, decoded.from());
            assertEquals(6, decoded.epoch());
            assertEquals(40, decoded.prevId());
            assertEquals(3, decoded.prevEpoch());
            assertEquals(38, decoded.commitId());
            assertEquals(45, decoded.lastId());
            assertFalse(decoded.heartbeat());
            assertArrayEquals(big, decoded.entries().get(1).payload());
            assertEquals(-77L, decoded.entries().get(1).clientId());
            assertEquals(12, decoded.entries().get(1).seq());
            assertTrue(decoded.entries().get(2).epochStart());
            assertFalse(decoded.entries().get(3).tagged());
            assertEquals(0, decoded.entries().get(3).clientId());
        }
    }

    @Test
    void theLargestPayloadAppendEntriesCarriesFillsTheFrameExactly() {
        final byte[] payload = new byte[AppendEntries.maxPayload(MAX_FRAME)];
        final AppendEntries full = new AppendEntries(1, 1, 2, 0, 0, 0, List.of(PeerEntry.tagged(2, 7, 1, payload)));
        assertEquals(MAX_FRAME, FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + full.encodedBodyLength());
        assertEquals(full, roundTrip(full, 4096), "the decoder under MAX_FRAME takes it");
    }

    @Test
    void aHeartbeatIsAnAppendEntriesWithoutEntries() {
        final AppendEntries heartbeat = new AppendEntries(-3, 4, 7, 10, 7, 9, List.of());
        final AppendEntries decoded = assertInstanceOf(AppendEntries.class, roundTrip(heartbeat, 9));
        assertEquals(heartbeat, decoded);
        assertTrue(decoded.heartbeat());
        assertEquals(10, decoded.lastId());
        assertEquals(AppendEntries.FIXED_BODY_LENGTH, decoded.encodedBodyLength());
        // the very first one, before any entry: prev_id 0 of epoch 0
        assertEquals(new AppendEntries(1, 1, 1, 0, 0, 0, List.of()),
            roundTrip(new AppendEntries(1, 1, 1, 0, 0, 0, List.of()), 100));
    }

    @Test
    void appendEntriesIsEncodedIntoOneBufferOfExactlyItsSize() {
        final AppendEntries f = new AppendEntries(5, 1, 3, 0, 0, 0, List.of(PeerEntry.epochStart(3),
            PeerEntry.message(3, new byte[5000]), PeerEntry.tagged(3, 1, 1, new byte[] {9})));
        assertEquals(48 + 13 + (13 + 5000) + (13 + 16 + 1), f.encodedBodyLength());
        final List<Object> out = new ArrayList<>();
        FrameCodec.encode(f, UnpooledByteBufAllocator.DEFAULT, out);
        assertEquals(1, out.size(), "one buffer, payloads copied in");
        final ByteBuf buf = (ByteBuf) out.get(0);
        try {
            assertEquals(FrameHeader.HEADER_LENGTH + f.encodedBodyLength(), buf.readableBytes());
            assertEquals(buf.readableBytes(), buf.capacity(), "allocated at its final size, never grown");
            assertEquals(12 + f.encodedBodyLength(), buf.getInt(0), "Frame Length");
        } finally {
            buf.release();
        }
    }

    @Test
    void appendEntriesIsNotReferenceCountedItsPayloadsAreCopies() {
        final byte[] payload = "copied".getBytes(StandardCharsets.UTF_8);
        final AppendEntries decoded = assertInstanceOf(AppendEntries.class,
            roundTrip(new AppendEntries(8, 1, 2, 0, 0, 0, List.of(PeerEntry.message(2, payload))), 1000));
        // the frame's buffer is released by the decoder; the payload lives on in its own array
        assertFalse(ReferenceCounted.class.isInstance(decoded));
        assertArrayEquals(payload, decoded.entries().get(0).payload());
        assertThrows(UnsupportedOperationException.class, () -> decoded.entries().add(PeerEntry.epochStart(2)));
    }

    @Test
    void tailRequestAndTailReplyRoundTrip() {
        assertEquals(new TailRequest(3, 1, 4, 9, 3, -7, true), roundTrip(new TailRequest(3, 1, 4, 9, 3, -7, true), 5));
        assertEquals(new TailRequest(-4, 1, 1, 0, 0, 0, false),
            roundTrip(new TailRequest(-4, 1, 1, 0, 0, 0, false), 64));
        final AppendEntries named = new AppendEntries(8, 1, 2, 0, 0, 0, 0x1234L, List.of());
        assertEquals(0x1234L, assertInstanceOf(AppendEntries.class, roundTrip(named, 9)).logId());
        final TailReply refused = new TailReply(6, 2, 7, 5, 30, 12, false, List.of());
        assertEquals(refused, roundTrip(refused, 3));
        // a secondary behind a restarted master's log: asked about an entry past its own last one, it holds none
        final TailReply behind = new TailReply(6, 2, 7, 5, 313, 314, false, List.of());
        assertEquals(behind, roundTrip(behind, 3));
        final TailReply matched = new TailReply(7, 3, 4, 3, 14, 11, true, List.of(PeerEntry.epochStart(2),
            PeerEntry.message(3, new byte[] {1, 2}), PeerEntry.tagged(3, -5, 9, new byte[2000])));
        final TailReply decoded = assertInstanceOf(TailReply.class, roundTrip(matched, 7));
        assertEquals(matched, decoded);
        assertTrue(decoded.matched());
        assertEquals(3, decoded.entries().size());
        assertArrayEquals(new byte[2000], decoded.entries().get(2).payload());
    }

    @Test
    void appendEntriesReplyRoundTrips() {
        final AppendEntriesReply accepted = new AppendEntriesReply(9, 3, 5, true, 19, 18, 0, 0);
        assertEquals(accepted, roundTrip(accepted, 1));
        final AppendEntriesReply refused = new AppendEntriesReply(-10, 4, 6, false, 11, 7, 3, 12);
        final AppendEntriesReply decoded = assertInstanceOf(AppendEntriesReply.class, roundTrip(refused, 6));
        assertEquals(refused, decoded);
        assertEquals(4, decoded.from());
        assertEquals(6, decoded.epoch());
        assertFalse(decoded.accepted());
        assertEquals(11, decoded.acceptedId());
        assertEquals(7, decoded.durableId());
        assertEquals(3, decoded.conflictEpoch());
        assertEquals(12, decoded.conflictId());
    }

    @Test
    void aPeerEntryTheWireCannotCarryIsRefusedWhenBuilt() {
        final byte[] hi = {'h', 'i'};
        assertThrows(IllegalArgumentException.class, () -> new PeerEntry(1, 0x04, 0, 0, hi), "unknown flag");
        assertThrows(IllegalArgumentException.class, () -> PeerEntry.tagged(1, 0, 1, hi), "client_id 0");
        assertThrows(IllegalArgumentException.class, () -> PeerEntry.tagged(1, 5, 0, hi), "seq 0");
        assertThrows(IllegalArgumentException.class, () -> new PeerEntry(1, 0, 5, 1, hi), "a tag without the flag");
        assertThrows(IllegalArgumentException.class,
            () -> new PeerEntry(1, PeerEntry.FLAG_EPOCH_START, 0, 0, hi), "EPOCH_START with bytes");
        assertThrows(IllegalArgumentException.class,
            () -> new PeerEntry(1, PeerEntry.FLAG_EPOCH_START | PeerEntry.FLAG_TAGGED, 5, 1, new byte[0]),
            "EPOCH_START tagged");
        assertThrows(NullPointerException.class, () -> PeerEntry.message(1, null));
        assertEquals(PeerEntry.message(1, hi), PeerEntry.message(1, new byte[] {'h', 'i'}), "equal by content");
        assertEquals(PeerEntry.message(1, hi).hashCode(), PeerEntry.message(1, new byte[] {'h', 'i'}).hashCode());
        assertFalse(PeerEntry.message(1, hi).equals(PeerEntry.message(2, hi)));
    }

    @Test
    void manyFramesInOneBufferDecodeInOrder() {
        final ByteBuf wire = Unpooled.buffer();
        for (int i = 1; i <= 100; i++) {
            FrameCodec.writeAppendOk(wire, i, i * 10L);
        }
        channel.writeInbound(wire);
        for (int i = 1; i <= 100; i++) {
            assertEquals(new AppendOk(i, i * 10L), channel.readInbound());
        }
        assertNull(channel.readInbound());
    }
}
