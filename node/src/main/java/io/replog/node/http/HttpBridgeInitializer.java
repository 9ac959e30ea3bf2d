package io.replog.node.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.replog.node.metrics.NodeMetrics;
import io.replog.node.security.TlsSettings;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.replog.node.role.NodeRole;
import io.replog.node.server.ConnectionLimits;
import io.replog.node.server.ReadGate;
import io.replog.node.server.RefusedConnectionHandler;

/**
 * Pipeline of the HTTP port: idle timeout, Netty's HTTP codec, whole requests up to a bounded size, the read gate
 * (requests wait, in order, while it is shut), the bridge. A connection past the limit
 * gets a JSON 503 to its first request instead.
 */
public final class HttpBridgeInitializer extends ChannelInitializer<SocketChannel> {
    private final NodeRole role;
    private final int maxBodyBytes;
    private final ConnectionLimits limits;
    private final TlsSettings tls;
    private final NodeMetrics metrics;

    /**
     * @param maxFrameLength the node's frame limit: the largest message it takes is the same over HTTP
     * @param tls            HTTPS instead of HTTP, null for plain
     */
    public HttpBridgeInitializer(final NodeRole role, final int maxFrameLength, final ConnectionLimits limits,
                                 final TlsSettings tls, final NodeMetrics metrics) {
        this.metrics = metrics;
        this.role = role;
        this.maxBodyBytes = maxBodyBytes(maxFrameLength);
        this.limits = limits;
        this.tls = tls;
        ClusterPage.load();
    }

    /**
     * Request bodies may be twice the frame limit (plus room for the other fields), so that the largest message the
     * binary protocol takes also fits once JSON has quoted it; the message itself is checked against the same
     * limit as a binary APPEND (PAYLOAD_TOO_LARGE, 413).
     */
    static int maxBodyBytes(final int maxFrameLength) {
        return 2 * maxFrameLength + 1024;
    }

    @Override
    protected void initChannel(final SocketChannel ch) {
        final ChannelPipeline pipeline = ch.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.server().newHandler(ch.alloc()));
        }
        pipeline.addLast(new HttpServerCodec());
        if (!limits.admit(ch)) {
            pipeline.addLast(new RefusedConnectionHandler(HttpRequest.class::isInstance, this::refusal));
            return;
        }
        final ReadGate gate = new ReadGate();
        final HttpBridgeHandler bridge = new HttpBridgeHandler(role, gate, metrics);
        pipeline.addLast(new HttpServerKeepAliveHandler());
        pipeline.addLast(new JsonHttpObjectAggregator(maxBodyBytes));
        // streams large bodies (GET /messages) at the pace the client reads them
        pipeline.addLast(new ChunkedWriteHandler());
        pipeline.addLast(gate);
        pipeline.addLast(bridge);
        limits.addIdleTimeout(pipeline, bridge::busy);
    }

    private Object refusal(final Channel ch) {
        return HttpResponses.errorResponse(ch.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE, limits.refusal(), false);
    }
}
