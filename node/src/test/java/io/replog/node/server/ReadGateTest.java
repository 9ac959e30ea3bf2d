package io.replog.node.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read gate: several reasons hold one connection, it reads again only when none is left, and requests decoded
 * from the same read wait in it and then arrive in order.
 */
class ReadGateTest {
    private final List<String> handled = new ArrayList<>();
    private ReadGate gate;
    private EmbeddedChannel channel;

    /**
     * Records each request; "pause" shuts the gate as an HTTP append does, "big" writes more than the high mark.
     * Flushes at the end of a read, as the node's handlers do.
     */
    private final class Requests extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            handled.add((String) msg);
            if ("pause".equals(msg)) {
                gate.pause(ReadGate.ANSWERING);
            } else if ("big".equals(msg)) {
                ctx.write(Unpooled.buffer(32).writeZero(32));
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    private int flushes;

    /** A socket the client does not drain: flushes are held (and counted) until {@link #drain}. */
    private static final class StalledSocket extends ChannelOutboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private boolean stalled = true;
        private int flushesHeld;

        @Override
        public void handlerAdded(final ChannelHandlerContext context) {
            this.ctx = context;
        }

        @Override
        public void flush(final ChannelHandlerContext context) {
            if (stalled) {
                flushesHeld++;
            } else {
                context.flush();
            }
        }

        void drain() {
            stalled = false;
            ctx.flush();
        }
    }

    private final StalledSocket socket = new StalledSocket();

    @BeforeEach
    void setUp() {
        gate = new ReadGate();
        channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.pipeline().addLast(socket, gate, new Requests());
    }

    @AfterEach
    void tearDown() {
        socket.drain();
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            out.release();
        }
        assertFalse(channel.finish());
    }

    /** Like one socket read decoding several requests (writeInbound would also run the pending tasks). */
    private void read(final String... requests) {
        for (final String r : requests) {
            channel.pipeline().fireChannelRead(r);
        }
        channel.pipeline().fireChannelReadComplete();
    }

    @Test
    void requestsDecodedTogetherWaitWhileAnyReasonHoldsTheGateAndThenArriveInOrder() {
        read("a", "pause", "b", "c");
        assertEquals(List.of("a", "pause"), handled, "b and c wait while the append is answered");
        assertFalse(channel.config().isAutoRead());

        gate.pause(ReadGate.TOO_MANY_OUTSTANDING);
        gate.resume(ReadGate.ANSWERING);
        assertEquals(List.of("a", "pause"), handled, "another reason still holds the gate");
        assertFalse(channel.config().isAutoRead());
        assertTrue(gate.pausedFor(ReadGate.TOO_MANY_OUTSTANDING));
        assertFalse(gate.pausedFor(ReadGate.ANSWERING));

        gate.resume(ReadGate.ANSWERING); // twice: no effect
        assertEquals(List.of("a", "pause"), handled);
        final int flushesBefore = flushes;
        gate.resume(ReadGate.TOO_MANY_OUTSTANDING);
        assertEquals(List.of("a", "pause", "b", "c"), handled);
        assertTrue(channel.config().isAutoRead());
        assertEquals(flushesBefore + 1, flushes, "one flush for the requests handed on, not one each");
    }

    @Test
    void answersPastTheHighWaterMarkShutTheGateUntilTheyAreWritten() {
        read("big", "d");
        assertFalse(channel.isWritable());
        assertTrue(gate.pausedFor(ReadGate.UNWRITABLE));
        assertEquals(List.of("big"), handled, "d waits while the answer backs up");

        // the end of the read still reaches the handler while d waits, so what it wrote is flushed
        channel.runPendingTasks();
        assertTrue(socket.flushesHeld > 0, "the answer was flushed although a request waits");
        assertEquals(List.of("big"), handled);
        socket.drain();
        assertTrue(channel.isWritable());
        assertFalse(gate.pausedFor(ReadGate.UNWRITABLE));
        assertEquals(List.of("big", "d"), handled);
    }

    @Test
    void becomingWritableDoesNotLiftAnotherReason() {
        read("big", "e");
        gate.pause(ReadGate.ANSWERING); // an HTTP append waits for its answer as well
        socket.drain();
        assertTrue(channel.isWritable());
        assertEquals(List.of("big"), handled, "e still waits for the append's answer");
        gate.resume(ReadGate.ANSWERING);
        assertEquals(List.of("big", "e"), handled);
    }

    @Test
    void whileOpenRequestsPassStraightThroughWithOneReadCompletePerRead() {
        read("x", "y", "z");
        assertEquals(List.of("x", "y", "z"), handled);
        assertEquals(1, flushes, "one flush per read, not one per request");
    }

    @Test
    void requestsHeldWhenTheConnectionClosesAreReleased() {
        final ByteBuf request = Unpooled.buffer(8).writeLong(42);
        gate.pause(ReadGate.ANSWERING);
        channel.pipeline().fireChannelRead(request);
        assertEquals(1, request.refCnt());
        channel.close();
        assertEquals(0, request.refCnt());
    }
}
