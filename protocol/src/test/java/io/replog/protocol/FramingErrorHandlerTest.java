package io.replog.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link FramingErrorHandler} answers to each kind of failure, and that it answers once: the code a peer reads
 * in the ERROR frame is how it tells its own bad bytes from the node's bug.
 */
class FramingErrorHandlerTest {
    private final List<String> logged = new ArrayList<>();
    private final List<Integer> refused = new ArrayList<>();

    @Test
    void aRefusedFrameKeepsItsCodeAndRequestIdEvenWhenWrappedByTheDecoder() {
        final ProtocolException refusal = new ProtocolException(ErrorCode.UNKNOWN_TYPE, 12, "unknown frame type 0x7f");
        assertEquals(new ErrorFrame(12, ErrorCode.UNKNOWN_TYPE, "unknown frame type 0x7f"),
            FramingErrorHandler.toErrorFrame(refusal));
        assertEquals(new ErrorFrame(12, ErrorCode.UNKNOWN_TYPE, "unknown frame type 0x7f"),
            FramingErrorHandler.toErrorFrame(new DecoderException(refusal)));
        // its own cause, if any, is not what the peer is told
        final ProtocolException withCause = new ProtocolException(ErrorCode.MALFORMED_FRAME, 3, "bad count");
        withCause.initCause(new IllegalStateException("inner"));
        assertEquals(new ErrorFrame(3, ErrorCode.MALFORMED_FRAME, "bad count"),
            FramingErrorHandler.toErrorFrame(withCause));
    }

    @Test
    void aTooLongFrameIsFrameTooLargeWithItsOwnText() {
        assertEquals(new ErrorFrame(0, ErrorCode.FRAME_TOO_LARGE, "too long"),
            FramingErrorHandler.toErrorFrame(new TooLongFrameException("too long")));
        final TooLongFrameException withCause = new TooLongFrameException("too long", new IOException("inner"));
        assertEquals(new ErrorFrame(0, ErrorCode.FRAME_TOO_LARGE, "too long"),
            FramingErrorHandler.toErrorFrame(withCause));
    }

    @Test
    void anyOtherDecoderFailureIsMalformedAndAnythingElseIsTheNodesOwnError() {
        assertEquals(new ErrorFrame(0, ErrorCode.MALFORMED_FRAME, "odd bytes"),
            FramingErrorHandler.toErrorFrame(new DecoderException("odd bytes")));
        assertEquals(new ErrorFrame(0, ErrorCode.MALFORMED_FRAME, "null"),
            FramingErrorHandler.toErrorFrame(new DecoderException((String) null)));
        // a decoder that crashed on a bug: the bug is named, not blamed on the peer's bytes
        final IndexOutOfBoundsException bug = new IndexOutOfBoundsException("index 9");
        assertEquals(new ErrorFrame(0, ErrorCode.INTERNAL_ERROR, "internal error: " + bug),
            FramingErrorHandler.toErrorFrame(new DecoderException(bug)));
        final IllegalStateException other = new IllegalStateException("state");
        assertEquals(new ErrorFrame(0, ErrorCode.INTERNAL_ERROR, "internal error: " + other),
            FramingErrorHandler.toErrorFrame(other));
    }

    /** Holds the frames written to it, their writes unfinished until the test says: the peer is still reading. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        private final List<Object> frames = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();

        @Override
        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
            frames.add(msg);
            promises.add(promise);
        }
    }

    @Test
    void aRefusalIsAnsweredOnceCountedLoggedAndTheConnectionClosedOnceTheAnswerIsOut() {
        final HeldWrites held = new HeldWrites();
        final EmbeddedChannel channel = new EmbeddedChannel(held,
            new FramingErrorHandler(logged::add, refused::add));
        channel.pipeline().fireExceptionCaught(new ProtocolException(ErrorCode.MALFORMED_FRAME, 5, "short body"));
        // a second failure while the answer is on its way (the rest of the peer's bytes) is not answered again
        channel.pipeline().fireExceptionCaught(new ProtocolException(ErrorCode.UNKNOWN_TYPE, 6, "and then this"));
        assertEquals(List.of(new ErrorFrame(5, ErrorCode.MALFORMED_FRAME, "short body")), held.frames);
        assertEquals(List.of((int) ErrorCode.MALFORMED_FRAME), refused);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).endsWith(": closing connection: short body"), logged.get(0));
        assertFalse(channel.config().isAutoRead(), "nothing more is read from a peer whose bytes are out of step");
        assertTrue(channel.isOpen(), "the answer is not out yet");
        held.promises.get(0).setSuccess();
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void aBrokenSocketIsClosedWithoutAnAnswer() {
        final EmbeddedChannel channel = new EmbeddedChannel(new FramingErrorHandler(logged::add, refused::add));
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertNull(channel.readOutbound(), "nobody to answer");
        assertTrue(refused.isEmpty(), "not a refused frame");
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).endsWith(": connection lost: Connection reset by peer"), logged.get(0));
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }
}
