package io.replog.node.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.replog.node.role.NodeRole;

/** Pipeline of the HTTP port: Netty's HTTP codec, whole requests up to a bounded size, the bridge. */
public final class HttpBridgeInitializer extends ChannelInitializer<SocketChannel> {
    private final NodeRole role;
    private final int maxBodyBytes;

    /** @param maxFrameLength the node's frame limit: the largest message it takes is the same over HTTP */
    public HttpBridgeInitializer(final NodeRole role, final int maxFrameLength) {
        this.role = role;
        this.maxBodyBytes = maxBodyBytes(maxFrameLength);
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
        ch.pipeline().addLast(new HttpServerCodec());
        ch.pipeline().addLast(new HttpServerKeepAliveHandler());
        ch.pipeline().addLast(new JsonHttpObjectAggregator(maxBodyBytes));
        // streams large bodies (GET /messages) at the pace the client reads them
        ch.pipeline().addLast(new ChunkedWriteHandler());
        ch.pipeline().addLast(new HttpBridgeHandler(role));
    }
}
