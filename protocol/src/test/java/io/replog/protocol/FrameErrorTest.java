package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on a server-style pipeline (codec + {@link FramingErrorHandler}): exactly one ERROR frame with the
 * defined code, the connection closed, no exception escaping, no buffer leaked (the build runs with PARANOID leak
 * detection, which fails on any leak report).
 */
class FrameErrorTest {
    private static final int MAX_FRAME = 1024;

    private final List<String> logged = new ArrayList<>();

    private EmbeddedChannel serverChannel() {
        final EmbeddedChannel channel = new EmbeddedChannel();
        ProtocolPipeline.addCodec(channel.pipeline(), MAX_FRAME);
        channel.pipeline().addLast(new FramingErrorHandler(logged::add));
        return channel;
    }

    /** Reads the single ERROR frame the channel wrote back, decoding it with a fresh codec. */
    private static ErrorFrame readError(final EmbeddedChannel channel) {
        final ByteBuf wire = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        final EmbeddedChannel decoder = new EmbeddedChannel();
        ProtocolPipeline.addCodec(decoder.pipeline(), MAX_FRAME);
        decoder.writeInbound(wire);
        final Frame frame = decoder.readInbound();
        assertNull(decoder.readInbound(), "exactly one ERROR frame");
        assertFalse(decoder.finish());
        return assertInstanceOf(ErrorFrame.class, frame);
    }

    private static ByteBuf frame(final int version, final int type, final long requestId, final byte[] body) {
        final ByteBuf buf = Unpooled.buffer();
        buf.writeInt(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + body.length);
        buf.writeByte(version);
        buf.writeByte(type);
        buf.writeShort(0);
        buf.writeLong(requestId);
        buf.writeBytes(body);
        return buf;
    }

    @Test
    void oversizedFrameIsRefusedAsSoonAsItsLengthIsRead() {
        final EmbeddedChannel channel = serverChannel();
        final ByteBuf buf = Unpooled.buffer();
        buf.writeInt(MAX_FRAME + 1);
        buf.writeBytes(new byte[16]);
        channel.writeInbound(buf);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, readError(channel).code());
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void aFrameExactlyAtTheLimitIsAcceptedAndOneByteMoreIsRefused() {
        // Frame Length counts the bytes after the length field; the limit applies to that number (PROTOCOL.md)
        final EmbeddedChannel channel = serverChannel();
        final byte[] body = new byte[MAX_FRAME - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD];
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.HEALTH_OK, 5, body));
        final HealthOk ok = assertInstanceOf(HealthOk.class, channel.readInbound());
        assertEquals(5, ok.requestId());
        assertTrue(channel.isOpen());
        assertNull(channel.readOutbound(), "nothing refused");

        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.HEALTH_OK, 6, new byte[body.length + 1]));
        final ErrorFrame error = readError(channel);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, error.code());
        assertTrue(error.message().contains("frame of " + (MAX_FRAME + 1) + " bytes")
            && error.message().contains("limit of " + MAX_FRAME), error.message());
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void unknownVersionIsRefusedWithTheRequestId() {
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(9, FrameType.PING, 77, new byte[0]));
        final ErrorFrame error = readError(channel);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, error.code());
        assertEquals(77, error.requestId());
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void unknownTypeIsRefused() {
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(FrameHeader.VERSION, 0x7f, 5, new byte[3]));
        assertEquals(ErrorCode.UNKNOWN_TYPE, readError(channel).code());
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void truncatedBodyIsMalformed() {
        final EmbeddedChannel channel = serverChannel();
        // an APPEND needs 8 fixed body bytes before the payload
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.APPEND, 3, new byte[5]));
        final ErrorFrame error = readError(channel);
        assertEquals(ErrorCode.MALFORMED_FRAME, error.code());
        assertEquals(3, error.requestId());
        channel.finishAndReleaseAll();
    }

    @Test
    void aReadWithTheBodyOfAWaitingReadButNoFlagIsMalformed() {
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.READ, 4, new byte[Read.WAIT_BODY_LENGTH]));
        assertEquals(ErrorCode.MALFORMED_FRAME, readError(channel).code());
        channel.finishAndReleaseAll();
    }

    @Test
    void frameShorterThanTheHeaderIsMalformed() {
        final EmbeddedChannel channel = serverChannel();
        final ByteBuf buf = Unpooled.buffer();
        buf.writeInt(3);
        buf.writeBytes(new byte[] {1, 2, 3});
        channel.writeInbound(buf);
        assertEquals(ErrorCode.MALFORMED_FRAME, readError(channel).code());
        channel.finishAndReleaseAll();
    }

    @Test
    void entryRunThatLiesAboutItsLengthsIsMalformed() {
        final EmbeddedChannel channel = serverChannel();
        final ByteBuf body = Unpooled.buffer();
        body.writeLong(1);       // first_id
        body.writeInt(2);        // count: two entries promised
        body.writeLong(2);       // last_id
        body.writeInt(3);
        body.writeBytes(new byte[] {'a', 'b', 'c'});
        body.writeInt(100);      // second entry claims 100 bytes that are not there
        final byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.READ_OK, 8, bytes));
        assertEquals(ErrorCode.MALFORMED_FRAME, readError(channel).code());
        channel.finishAndReleaseAll();
    }

    // ---- node mode: VOTE_REQUEST, VOTE_REPLY, APPEND_ENTRIES, APPEND_ENTRIES_REPLY ------------------------

    /** The bytes {@code writer} writes. */
    private static byte[] body(final Consumer<ByteBuf> writer) {
        final ByteBuf buf = Unpooled.buffer();
        writer.accept(buf);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private static void voteRequest(final ByteBuf b, final int from, final long epoch, final long lastEpoch,
                                    final long lastId) {
        b.writeInt(from);
        b.writeLong(epoch);
        b.writeLong(lastEpoch);
        b.writeLong(lastId);
    }

    private static void voteReply(final ByteBuf b, final int from, final long epoch, final int granted) {
        b.writeInt(from);
        b.writeLong(epoch);
        b.writeByte(granted);
    }

    private static void appendEntries(final ByteBuf b, final int from, final long epoch, final long prevId,
                                      final long prevEpoch, final long commitId, final int count) {
        b.writeInt(from);
        b.writeLong(epoch);
        b.writeLong(prevId);
        b.writeLong(prevEpoch);
        b.writeLong(commitId);
        b.writeLong(0); // log_id: names none
        b.writeInt(count);
    }

    /** One entry as the wire carries it; the tag is written when flag TAGGED (0x01) is set. */
    private static void entry(final ByteBuf b, final long epoch, final int flags, final long clientId,
                              final long seq, final byte[] payload) {
        b.writeLong(epoch);
        b.writeByte(flags);
        if ((flags & 0x01) != 0) {
            b.writeLong(clientId);
            b.writeLong(seq);
        }
        b.writeInt(payload.length);
        b.writeBytes(payload);
    }

    private static void appendEntriesReply(final ByteBuf b, final int from, final long epoch, final int accepted,
                                           final long acceptedId, final long durableId, final long conflictEpoch,
                                           final long conflictId) {
        b.writeInt(from);
        b.writeLong(epoch);
        b.writeByte(accepted);
        b.writeLong(acceptedId);
        b.writeLong(durableId);
        b.writeLong(conflictEpoch);
        b.writeLong(conflictId);
    }

    /** The two entries of PROTOCOL.md's example: EPOCH_START of epoch 5, then "hi" tagged 42/7 of epoch 5. */
    private static void exampleEntries(final ByteBuf b) {
        entry(b, 5, 0x02, 0, 0, new byte[0]);
        entry(b, 5, 0x01, 42, 7, new byte[] {'h', 'i'});
    }

    /** Sends one frame of {@code type} to a server pipeline: refused with MALFORMED_FRAME, text, connection closed. */
    private void assertMalformed(final byte type, final byte[] body, final String text) {
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(FrameHeader.VERSION, type, 61, body));
        assertNull(channel.readInbound(), "nothing decoded");
        final ErrorFrame error = readError(channel);
        assertEquals(ErrorCode.MALFORMED_FRAME, error.code(), error.message());
        assertEquals(61, error.requestId());
        assertTrue(error.message().contains(text), "'" + text + "' in: " + error.message());
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    /** The same helpers build frames that decode: each refusal below is the one field it changes. */
    @Test
    void theNodeModeFramesTheseTestsBuildAreWellFormed() {
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.VOTE_REQUEST, 1,
            body(b -> voteRequest(b, 2, 5, 4, 17))));
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.VOTE_REPLY, 2, body(b -> voteReply(b, 3, 5, 0))));
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.APPEND_ENTRIES, 3, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 2);
            exampleEntries(b);
        })));
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.APPEND_ENTRIES_REPLY, 4,
            body(b -> appendEntriesReply(b, 4, 5, 0, 0, 0, 3, 12))));
        assertEquals(new VoteRequest(1, 2, 5, 4, 17), channel.readInbound());
        assertEquals(new VoteReply(2, 3, 5, false), channel.readInbound());
        assertEquals(new AppendEntries(3, 2, 5, 17, 4, 17, List.of(PeerEntry.epochStart(5),
            PeerEntry.tagged(5, 42, 7, new byte[] {'h', 'i'}))), channel.readInbound());
        assertEquals(new AppendEntriesReply(4, 4, 5, false, 0, 0, 3, 12), channel.readInbound());
        assertNull(channel.readOutbound(), "nothing refused");
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
    }

    private static void tailReply(final ByteBuf b, final int from, final long epoch, final long lastEpoch,
                                  final long lastId, final long prevId, final int matched, final long... entryEpochs) {
        b.writeInt(from);
        b.writeLong(epoch);
        b.writeLong(lastEpoch);
        b.writeLong(lastId);
        b.writeLong(prevId);
        b.writeByte(matched);
        b.writeInt(entryEpochs.length);
        for (final long entryEpoch : entryEpochs) {
            b.writeLong(entryEpoch);
            b.writeByte(0);
            b.writeInt(1);
            b.writeByte('x');
        }
    }

    @Test
    void aTailReplyThatBreaksItsRulesIsMalformed() {
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 3, 11, 9, 0, 3)),
            "TAIL_REPLY carries 1 entries without matched");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 3, 10, 9, 1, 3, 3)),
            "go past its last_id 10");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 3, 11, 9, 1, 3, 2)),
            "epochs never decrease");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 3, 11, 9, 1, 3, 4)),
            "above the frame's epoch 3");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 5, 11, 9, 1)),
            "last_epoch 5 is above the frame's epoch 4");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 2, 4, 3, 11, 9, 2)),
            "matched must be 1 or 0, got 2");
        assertMalformed(FrameType.TAIL_REPLY, body(b -> tailReply(b, 0, 4, 3, 11, 9, 1)),
            "TAIL_REPLY from must be a node id >= 1, got 0");
        assertMalformed(FrameType.TAIL_REQUEST, body(b -> {
            b.writeInt(1);
            b.writeLong(4);
            b.writeLong(9);
            b.writeLong(5);
            b.writeLong(0x1234);
        }), "TAIL_REQUEST prev_epoch 5 is above the frame's epoch 4");
        assertMalformed(FrameType.TAIL_REQUEST, new byte[35], "TAIL_REQUEST body of 35 bytes, exactly 36");
        // well formed: decoded
        final EmbeddedChannel channel = serverChannel();
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.TAIL_REPLY, 5,
            body(b -> tailReply(b, 2, 4, 3, 11, 9, 1, 2, 3))));
        final TailReply reply = assertInstanceOf(TailReply.class, channel.readInbound());
        assertEquals(11, reply.lastId());
        assertEquals(2, reply.entries().size());
        // a secondary whose log ends before prev_id: not matched, no entries, nothing past its last_id
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.TAIL_REPLY, 6,
            body(b -> tailReply(b, 2, 4, 3, 5, 6, 0))));
        final TailReply shorter = assertInstanceOf(TailReply.class, channel.readInbound());
        assertEquals(5, shorter.lastId());
        assertFalse(shorter.matched());
        assertFalse(channel.finish());
    }

    @Test
    void aGrantedOrAcceptedByteOtherThanOneOrZeroIsMalformed() {
        assertMalformed(FrameType.VOTE_REPLY, body(b -> voteReply(b, 3, 5, 2)), "granted must be 1 or 0, got 2");
        assertMalformed(FrameType.VOTE_REPLY, body(b -> voteReply(b, 3, 5, 0xff)), "granted must be 1 or 0, got 255");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, 5, 7, 19, 18, 0, 0)),
            "accepted must be 1 or 0, got 7");
    }

    @Test
    void aFromOfZeroOrBelowIsMalformedInEveryNodeModeFrame() {
        final String text = "from must be a node id >= 1, got ";
        assertMalformed(FrameType.VOTE_REQUEST, body(b -> voteRequest(b, 0, 5, 4, 17)), "VOTE_REQUEST " + text + 0);
        assertMalformed(FrameType.VOTE_REPLY, body(b -> voteReply(b, 0, 5, 1)), "VOTE_REPLY " + text + 0);
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 0, 5, 0, 0, 0, 0)),
            "APPEND_ENTRIES " + text + 0);
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 0, 5, 1, 1, 1, 0, 0)),
            "APPEND_ENTRIES_REPLY " + text + 0);
        assertMalformed(FrameType.VOTE_REPLY, body(b -> voteReply(b, -2, 5, 1)), text + -2);
    }

    @Test
    void epochsAndIdsOutOfTheirRangeAreMalformed() {
        assertMalformed(FrameType.VOTE_REQUEST, body(b -> voteRequest(b, 2, 0, 0, 0)), "epoch must be >= 1, got 0");
        assertMalformed(FrameType.VOTE_REQUEST, body(b -> voteRequest(b, 2, 5, -1, 17)),
            "last_epoch must be >= 0, got -1");
        assertMalformed(FrameType.VOTE_REQUEST, body(b -> voteRequest(b, 2, 5, 4, -17)),
            "last_id must be >= 0, got -17");
        assertMalformed(FrameType.VOTE_REQUEST, body(b -> voteRequest(b, 2, 5, 6, 17)),
            "last_epoch 6 is above the epoch 5");
        assertMalformed(FrameType.VOTE_REPLY, body(b -> voteReply(b, 3, -5, 1)), "epoch must be >= 0, got -5");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 0, 0, 0, 0, 0)),
            "epoch must be >= 1, got 0");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 5, -1, 0, 0, 0)),
            "prev_id must be >= 0, got -1");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 5, 3, -4, 0, 0)),
            "prev_epoch must be >= 0, got -4");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 5, 3, 4, -9, 0)),
            "commit_id must be >= 0, got -9");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 5, 3, 6, 0, 0)),
            "prev_epoch 6 is above the frame's epoch 5");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, -1, 1, 0, 0, 0, 0)),
            "epoch must be >= 0, got -1");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, 5, 1, -19, 0, 0, 0)),
            "accepted_id must be >= 0, got -19");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, 5, 1, 19, -18, 0, 0)),
            "durable_id must be >= 0, got -18");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, 5, 0, 0, 0, -3, 12)),
            "conflict_epoch must be >= 0, got -3");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, body(b -> appendEntriesReply(b, 3, 5, 0, 0, 0, 3, -12)),
            "conflict_id must be >= 0, got -12");
    }

    @Test
    void aFixedSizeNodeModeBodyOfAnyOtherSizeIsMalformed() {
        assertMalformed(FrameType.VOTE_REQUEST, new byte[27], "VOTE_REQUEST body of 27 bytes, exactly 28");
        assertMalformed(FrameType.VOTE_REQUEST, new byte[29], "VOTE_REQUEST body of 29 bytes, exactly 28");
        assertMalformed(FrameType.VOTE_REPLY, new byte[14], "VOTE_REPLY body of 14 bytes, exactly 13");
        assertMalformed(FrameType.APPEND_ENTRIES_REPLY, new byte[44],
            "APPEND_ENTRIES_REPLY body of 44 bytes, exactly 45");
        assertMalformed(FrameType.APPEND_ENTRIES, new byte[47], "APPEND_ENTRIES body of 47 bytes, at least 48");
    }

    @Test
    void anEntryWithAnUnknownFlagIsMalformed() {
        for (final int flags : new int[] {0x04, 0x80, 0x05}) {
            assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
                appendEntries(b, 2, 5, 17, 4, 17, 2);
                entry(b, 5, 0x02, 0, 0, new byte[0]);
                entry(b, 5, flags, 42, 7, new byte[] {'h', 'i'});
            }), String.format("entry 1 of 2 has unknown flags 0x%02x", flags));
        }
    }

    @Test
    void anEpochStartEntryCarriesNoMessageAndNoTag() {
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x02, 0, 0, new byte[] {'h', 'i'});
        }), "entry 0 of 1 is EPOCH_START with 2 bytes");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x03, 42, 7, new byte[0]);
        }), "entry 0 of 1 is EPOCH_START and TAGGED");
    }

    @Test
    void aTaggedEntryNeedsAClientIdAndASeq() {
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x01, 0, 7, new byte[] {'h', 'i'});
        }), "entry 0 of 1 is TAGGED and needs client_id != 0 and seq >= 1");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x01, 42, 0, new byte[] {'h', 'i'});
        }), "entry 0 of 1 is TAGGED and needs client_id != 0 and seq >= 1");
    }

    @Test
    void aCountLargerThanTheBodyIsMalformed() {
        // a huge count is refused before anything count-sized is allocated
        for (final int count : new int[] {Integer.MAX_VALUE, 1 << 30, 4}) {
            assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
                appendEntries(b, 2, 5, 17, 4, 17, count);
                exampleEntries(b);
            }), "APPEND_ENTRIES count " + count + " does not fit the 44 bytes that follow");
        }
        // 44 bytes could hold 3 entries of 13: the third one is missing
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 3);
            exampleEntries(b);
        }), "entry 2 of 3 truncated: 0 bytes left");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> appendEntries(b, 2, 5, 17, 4, 17, -1)),
            "negative entry count -1");
    }

    @Test
    void aTruncatedEntryIsMalformed() {
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x00, 0, 0, new byte[] {'h', 'i'});
            b.writerIndex(b.writerIndex() - 1); // the last byte of "hi" is missing
        }), "entry 0 of 1 claims 2 bytes, 1 left");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 5, 0x01, 42, 7, new byte[0]);
            b.writerIndex(b.writerIndex() - 5); // cut inside the tag
        }), "entry 0 of 1 truncated: 15 bytes left for its tag and length");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            b.writeLong(5);
            b.writeByte(0);
            b.writeInt(-1); // length 4294967295 (uint32), far past the end
        }), "entry 0 of 1 claims 4294967295 bytes, 0 left");
    }

    @Test
    void bytesAfterTheLastEntryAreMalformed() {
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 2);
            exampleEntries(b);
            b.writeByte(0);
        }), "1 bytes after the last of 2 APPEND_ENTRIES entries");
        // a heartbeat carries nothing after count
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 0);
            b.writeZero(12);
        }), "12 bytes after the last of 0 APPEND_ENTRIES entries");
    }

    @Test
    void entryEpochsThatDecreaseOrPassTheFramesEpochAreMalformed() {
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 2);
            entry(b, 5, 0x00, 0, 0, new byte[] {'a'});
            entry(b, 4, 0x00, 0, 0, new byte[] {'b'});
        }), "entry 1 of 2 is of epoch 4, after epoch 5");
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 1);
            entry(b, 3, 0x00, 0, 0, new byte[] {'a'});
        }), "entry 0 of 1 is of epoch 3, after epoch 4"); // below prev_epoch
        assertMalformed(FrameType.APPEND_ENTRIES, body(b -> {
            appendEntries(b, 2, 5, 17, 4, 17, 2);
            entry(b, 5, 0x00, 0, 0, new byte[] {'a'});
            entry(b, 6, 0x00, 0, 0, new byte[] {'b'});
        }), "entry 1 of 2 is of epoch 6, above the frame's epoch 5");
    }

    @Test
    void frameCutOffByTheConnectionClosingLeaksNothing() {
        final EmbeddedChannel channel = serverChannel();
        final ByteBuf whole = frame(FrameHeader.VERSION, FrameType.APPEND, 1, new byte[40]);
        channel.writeInbound(whole.readRetainedSlice(20));
        whole.release();
        assertNull(channel.readInbound(), "half a frame decodes to nothing");
        assertFalse(channel.finish());
    }

    @Test
    void randomBytesNeverEscapeAsAnExceptionAndLeakNothing() {
        final Random random = new Random(20261124);
        for (int round = 0; round < 300; round++) {
            final EmbeddedChannel channel = serverChannel();
            final byte[] garbage = new byte[4 + random.nextInt(200)];
            random.nextBytes(garbage);
            if (round % 2 == 0) {
                // a plausible length prefix makes the garbage reach the frame decoder instead of the framer
                garbage[0] = 0;
                garbage[1] = 0;
                garbage[2] = 0;
            }
            channel.writeInbound(Unpooled.wrappedBuffer(garbage));
            Object in;
            while ((in = channel.readInbound()) != null) {
                io.netty.util.ReferenceCountUtil.release(in);
            }
            if (!channel.isOpen()) {
                final ErrorFrame error = readError(channel);
                assertTrue(ErrorCode.isFraming(error.code()), "framing error code, got " + error);
            }
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void framerRecoversForTheNextFrameAfterDiscardingATooLongOne() {
        // a client-side pipeline without the closing handler: the framer itself must resynchronise
        final EmbeddedChannel channel = new EmbeddedChannel();
        ProtocolPipeline.addCodec(channel.pipeline(), 64);
        final ByteBuf buf = Unpooled.buffer();
        buf.writeInt(100);
        buf.writeBytes(new byte[100]);
        FrameCodec.writeAppendOk(buf, 1, 5);
        try {
            channel.writeInbound(buf);
        } catch (ProtocolException expected) {
            assertEquals(ErrorCode.FRAME_TOO_LARGE, expected.code());
            // reported once, then the rest of the buffer decodes
        }
        channel.writeInbound(Unpooled.EMPTY_BUFFER);
        Object first = channel.readInbound();
        assertEquals(new AppendOk(1, 5, false), first, "got " + first);
        Object second = channel.readInbound();
        assertNull(second, "got " + second);
        assertFalse(channel.finish());
    }
}
