package io.replog.node.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Netty's aggregator, but a body over the limit gets a JSON 413 like every other error of the bridge. */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    JsonHttpObjectAggregator(final int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized) {
        // the rest of the body is still on its way: answer and close rather than try to skip it
        HttpResponses.error(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body exceeds " + maxContentLength() + " bytes", false);
    }
}
