package io.replog.node.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/** Netty's aggregator, but a body over the limit gets a JSON 413 like every other error of the bridge. */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    JsonHttpObjectAggregator(final int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized) {
        // On a keep-alive connection the aggregator discards the rest of the body and the connection carries on;
        // closing while the client is still sending would reset it before it reads this answer.
        HttpResponses.error(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body exceeds " + maxContentLength() + " bytes", HttpUtil.isKeepAlive(oversized));
    }
}
