package io.replog.node.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The whole pipeline of a connection past {@code --max-connections}: one refusal, then a lingering close. The
 * refusal is sent at once (binary port) or as the answer to the first request (HTTP, whose clients read only after
 * they sent); then the node shuts its output and discards what the client still sends until the client closes or
 * {@link #LINGER_MS} passes. Closing at once with unread input would make the kernel reset the connection, and a
 * reset can destroy the refusal before the client reads it.
 */
public final class RefusedConnectionHandler extends ChannelInboundHandlerAdapter {
    /** Longest a refused connection stays open, answered or not. */
    static final long LINGER_MS = 2_000;

    private final Predicate<Object> answerOn;
    private final Function<Channel, Object> refusal;
    private boolean answered;

    /**
     * @param answerOn the inbound message that gets the refusal (null: send it as soon as the connection is up)
     * @param refusal  builds the refusal, ready for the pipeline's encoders
     */
    public RefusedConnectionHandler(final Predicate<Object> answerOn, final Function<Channel, Object> refusal) {
        this.answerOn = answerOn;
        this.refusal = refusal;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        if (answerOn == null) {
            answer(ctx);
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        final boolean answerNow = !answered && answerOn != null && answerOn.test(msg);
        ReferenceCountUtil.release(msg);
        if (answerNow) {
            answer(ctx);
        }
    }

    private void answer(final ChannelHandlerContext ctx) {
        answered = true;
        ctx.writeAndFlush(refusal.apply(ctx.channel())).addListener((ChannelFuture f) -> {
            if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        ctx.close();
    }
}
