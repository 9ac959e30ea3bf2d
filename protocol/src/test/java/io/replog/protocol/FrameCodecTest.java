package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void replicateRoundTripsIncludingTheEmptyProbe() {
        final Replicate decoded = (Replicate) roundTrip(new Replicate(11, 0xABCDEF0123L, 1, 2, 7, run("x", "yz")), 1);
        assertEquals(0xABCDEF0123L, decoded.logId());
        assertEquals(1, decoded.firstId());
        assertEquals(2, decoded.lastId());
        assertEquals(List.of("x", "yz"), texts(decoded.entries(), 2));
        decoded.release();

        final Replicate probe = (Replicate) roundTrip(new Replicate(12, 5, 8, 0, 9, Unpooled.EMPTY_BUFFER), 100);
        assertEquals(0, probe.count());
        assertEquals(7, probe.lastId());
        probe.release();
    }

    @Test
    void ackRoundTrips() {
        assertEquals(new Ack(4, 77, 3), roundTrip(new Ack(4, 77, 3), 4));
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
