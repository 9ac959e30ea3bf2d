package io.replog.node.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Decides whether one server connection reads. Several reasons can pause it at once (its answers are not being
 * read, it has too many appends waiting, an HTTP append is being answered); each is a bit, and the connection
 * reads again only when no bit is left. Every pause goes through here because two owners flipping autoRead
 * themselves would resume each other's pauses.
 *
 * <p>autoRead alone does not stop requests already decoded from the last read: the pipeline puts Netty's
 * {@link io.netty.handler.flow.FlowControlHandler} in front of the request handler, which holds them while the
 * gate is shut and hands them on, in order, once it opens. One gate per connection; event loop only.
 */
public final class ReadGate extends ChannelInboundHandlerAdapter {
    /** The connection's answers are not being read: its outbound buffer passed the high water mark. */
    public static final int UNWRITABLE = 1;
    /** Binary port: the connection has too many appends waiting for their answers. */
    public static final int TOO_MANY_OUTSTANDING = 1 << 1;
    /** HTTP: an append is being answered; later requests wait so that answers leave in request order. */
    public static final int ANSWERING = 1 << 2;

    /**
     * Outbound bytes a server connection may buffer before it stops reading (high), and below which it reads again
     * (low). Above Netty's 32/64 KiB so that a burst of small pipelined answers does not toggle reading, small
     * enough that a client that never reads holds at most this plus one answer (a READ_OK of up to a frame).
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);

    private Channel channel;
    private int reasons;

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            resume(UNWRITABLE);
        } else {
            pause(UNWRITABLE);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Stops reading for {@code reason} (one of the constants) until {@link #resume} of the same reason. */
    public void pause(final int reason) {
        final boolean wasOpen = reasons == 0;
        reasons |= reason;
        if (wasOpen) {
            channel.config().setAutoRead(false);
            // while requests wait in the FlowControlHandler no channelReadComplete comes to flush what was written
            // so far; flush later, not from inside the write that made the channel unwritable
            channel.eventLoop().execute(channel::flush);
        }
    }

    /** Lifts {@code reason}; the connection reads again if no other reason holds it. */
    public void resume(final int reason) {
        if ((reasons & reason) == 0) {
            return;
        }
        reasons &= ~reason;
        if (reasons == 0) {
            // also hands on the requests the FlowControlHandler held, in order
            channel.config().setAutoRead(true);
        }
    }

    /** True while {@code reason} holds the connection. */
    public boolean pausedFor(final int reason) {
        return (reasons & reason) != 0;
    }
}
