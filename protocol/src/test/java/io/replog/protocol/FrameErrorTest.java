package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
    void aReplicateCarryingTheLargestAcceptedMessageFitsTheLimit() {
        final EmbeddedChannel channel = serverChannel();
        final int payload = FrameHeader.maxPayload(MAX_FRAME);
        final ByteBuf run = Unpooled.buffer();
        EntryRun.writeEntry(run, new byte[payload]);
        final ByteBuf wire = Unpooled.buffer();
        FrameCodec.writeReplicateHeader(wire, 9, 1, 1, 1, 1, run.readableBytes());
        wire.writeBytes(run);
        run.release();
        assertEquals(MAX_FRAME, wire.getInt(0), "the largest message makes a REPLICATE of exactly the limit");
        channel.writeInbound(wire);
        final Replicate replicate = assertInstanceOf(Replicate.class, channel.readInbound());
        assertEquals(payload + EntryRun.ENTRY_OVERHEAD, replicate.entries().readableBytes());
        replicate.release();
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
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
        body.writeLong(42);      // log_id
        body.writeLong(1);       // first_id
        body.writeInt(2);        // count: two entries promised
        body.writeInt(3);
        body.writeBytes(new byte[] {'a', 'b', 'c'});
        body.writeInt(100);      // second entry claims 100 bytes that are not there
        final byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        channel.writeInbound(frame(FrameHeader.VERSION, FrameType.REPLICATE, 8, bytes));
        assertEquals(ErrorCode.MALFORMED_FRAME, readError(channel).code());
        channel.finishAndReleaseAll();
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
        FrameCodec.writeAck(buf, 1, 5, 2);
        try {
            channel.writeInbound(buf);
        } catch (ProtocolException expected) {
            assertEquals(ErrorCode.FRAME_TOO_LARGE, expected.code());
            // reported once, then the rest of the buffer decodes
        }
        channel.writeInbound(Unpooled.EMPTY_BUFFER);
        Object first = channel.readInbound();
        assertEquals(new Ack(1, 5, 2), first, "got " + first);
        Object second = channel.readInbound();
        assertNull(second, "got " + second);
        assertFalse(channel.finish());
    }
}
