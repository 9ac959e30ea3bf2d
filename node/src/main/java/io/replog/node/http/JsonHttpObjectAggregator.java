package io.replog.node.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator, but a body over the limit gets a JSON 413 like every other error of the bridge: whether it
 * arrived, or was only announced with {@code Expect: 100-continue}.
 */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    JsonHttpObjectAggregator(final int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized) {
        // On a keep-alive connection the aggregator discards the rest of the body and the connection carries on;
        // closing while the client is still sending would reset it before it reads this answer.
        HttpResponses.error(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(),
            HttpUtil.isKeepAlive(oversized));
    }

    /**
     * Netty answers an announced oversized body with its own 413 without a body; ours says why. Still a client
     * error, so the aggregator ignores the body that may follow, as it does for its own.
     */
    @Override
    protected Object newContinueResponse(final HttpMessage start, final int maxContentLength,
                                         final ChannelPipeline pipeline) {
        final Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof HttpResponse response
            && response.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(answer);
            return HttpResponses.errorResponse(pipeline.channel().alloc(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                tooLarge(), HttpUtil.isKeepAlive(start));
        }
        return answer;
    }

    private String tooLarge() {
        return "request body exceeds " + maxContentLength() + " bytes";
    }
}
