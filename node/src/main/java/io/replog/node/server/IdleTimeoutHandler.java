package io.replog.node.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Closes a server connection on which nothing was read or written for the idle timeout, unless it still waits for
 * something (a client waiting for its w=3 answer is quiet, not idle); a busy connection is looked at again one
 * timeout later. Activity is noted once per read burst and once per flush. Netty's IdleStateHandler would time
 * every write's completion through a promise and listener of its own: that cost a quarter of the ping throughput.
 * First in the pipeline, so that it sees every flush. Event loop only.
 */
final class IdleTimeoutHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IdleTimeoutHandler.class);

    private final long timeoutNanos;
    private final BooleanSupplier busy;
    private long lastActivityNanos;
    private ScheduledFuture<?> check;

    IdleTimeoutHandler(final long idleTimeoutMs, final BooleanSupplier busy) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.busy = busy;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx); // added to an accepted connection: it will not see channelActive
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(final ChannelHandlerContext ctx) {
        if (check == null) {
            lastActivityNanos = System.nanoTime();
            schedule(ctx, timeoutNanos);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(final ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.flush();
    }

    private void schedule(final ChannelHandlerContext ctx, final long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(final ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        final long quietNanos = System.nanoTime() - lastActivityNanos;
        if (quietNanos < timeoutNanos) {
            schedule(ctx, timeoutNanos - quietNanos);
        } else if (busy.getAsBoolean()) {
            schedule(ctx, timeoutNanos);
        } else {
            LOG.debug("{}: closing idle connection", ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (check != null) {
            check.cancel(false);
        }
    }
}
