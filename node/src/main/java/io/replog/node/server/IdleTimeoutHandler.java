package io.replog.node.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Closes a server connection on which nothing was read or written for the idle timeout, unless it still waits for
 * something (a client waiting for its w=3 answer is quiet, not idle). A busy connection is looked at again one
 * timeout later.
 */
final class IdleTimeoutHandler extends IdleStateHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IdleTimeoutHandler.class);

    private final BooleanSupplier busy;

    IdleTimeoutHandler(final long idleTimeoutMs, final BooleanSupplier busy) {
        super(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS);
        this.busy = busy;
    }

    @Override
    protected void channelIdle(final ChannelHandlerContext ctx, final IdleStateEvent event) {
        if (busy.getAsBoolean()) {
            return;
        }
        LOG.debug("{}: closing idle connection", ctx.channel().remoteAddress());
        ctx.close();
    }
}
