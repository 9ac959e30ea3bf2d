package io.replog.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Last handler of a server pipeline: answers a frame the codec refused (oversized, unknown version or type,
 * truncated) with one ERROR frame and closes the connection, since the byte stream can no longer be trusted.
 * Any other exception closes the connection too. Never rethrows, so a bad peer cannot hurt the node.
 * Stateful (remembers it already answered), so one per channel.
 */
public final class FramingErrorHandler extends ChannelInboundHandlerAdapter {
    private final Consumer<String> log;
    private final IntConsumer refused;
    private boolean closing;

    /** @param log receives one line per refused connection (the node logs it; tests may ignore it) */
    public FramingErrorHandler(final Consumer<String> log) {
        this(log, code -> { });
    }

    /** @param refused told the error code of each frame refused (metrics) */
    public FramingErrorHandler(final Consumer<String> log, final IntConsumer refused) {
        this.log = log;
        this.refused = refused;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (closing) {
            return;
        }
        closing = true;
        if (cause instanceof java.io.IOException) {
            // the peer is gone or the socket broke: nobody to answer
            log.accept(ctx.channel().remoteAddress() + ": connection lost: " + cause.getMessage());
            ctx.close();
            return;
        }
        final ErrorFrame error = toErrorFrame(cause);
        refused.accept(error.code());
        log.accept(ctx.channel().remoteAddress() + ": closing connection: " + error.message());
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }

    /** The ERROR frame that answers {@code cause}. */
    public static ErrorFrame toErrorFrame(final Throwable cause) {
        Throwable t = cause;
        if (t instanceof DecoderException && !(t instanceof ProtocolException)
            && !(t instanceof TooLongFrameException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ProtocolException p) {
            return new ErrorFrame(p.requestId(), p.code(), p.getMessage());
        }
        if (t instanceof TooLongFrameException) {
            return new ErrorFrame(0, ErrorCode.FRAME_TOO_LARGE, t.getMessage());
        }
        if (t instanceof DecoderException) {
            return new ErrorFrame(0, ErrorCode.MALFORMED_FRAME, String.valueOf(t.getMessage()));
        }
        return new ErrorFrame(0, ErrorCode.INTERNAL_ERROR, "internal error: " + t);
    }
}
