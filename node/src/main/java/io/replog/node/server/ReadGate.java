package io.replog.node.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * Decides whether one server connection reads. Several reasons can pause it at once (its answers are not being
 * read, it has too many appends waiting, an HTTP append is being answered); each is a bit, and the connection
 * reads again only when no bit is left. Every pause goes through here because two owners flipping autoRead
 * themselves would resume each other's pauses.
 *
 * <p>Turning autoRead off does not stop the requests already decoded from the last read, so the gate sits in
 * front of the request handler and holds them while it is shut, then hands them on in order. (Netty's
 * FlowControlHandler does that too, but while reading freely it fires channelReadComplete after every message,
 * which made every PONG its own flush: ping throughput fell sevenfold.) One gate per connection; event loop only.
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

    /** Requests decoded while the gate was shut; at most what one read brought. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private int reasons;
    private boolean handingOn;

    @Override
    public void handlerAdded(final ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(final ChannelHandlerContext context, final Object msg) {
        if (reasons == 0 && held.isEmpty()) {
            context.fireChannelRead(msg);
        } else {
            held.add(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            resume(UNWRITABLE);
        } else {
            pause(UNWRITABLE);
        }
        context.fireChannelWritabilityChanged();
    }

    /** Stops reading for {@code reason} (one of the constants) until {@link #resume} of the same reason. */
    public void pause(final int reason) {
        final boolean wasOpen = reasons == 0;
        reasons |= reason;
        if (wasOpen) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Lifts {@code reason}; if no other reason holds the connection, hands on what waited and reads again. */
    public void resume(final int reason) {
        if ((reasons & reason) == 0) {
            return;
        }
        reasons &= ~reason;
        if (reasons == 0 && !handingOn) {
            handOnHeld();
        }
    }

    /** True while {@code reason} holds the connection. */
    public boolean pausedFor(final int reason) {
        return (reasons & reason) != 0;
    }

    private void handOnHeld() {
        handingOn = true; // a request handed on may pause and resume again (a flush that drains): one loop does it
        try {
            boolean handed = false;
            while (reasons == 0 && !held.isEmpty()) {
                ctx.fireChannelRead(held.poll());
                handed = true;
            }
            if (handed) {
                // outside a read burst: the handlers flush what they answered, as at the end of a read
                ctx.fireChannelReadComplete();
            }
        } finally {
            handingOn = false;
        }
        if (reasons == 0) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) {
        dropHeld();
        context.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext context) {
        dropHeld();
    }

    private void dropHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
