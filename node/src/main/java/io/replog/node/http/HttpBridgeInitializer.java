package io.replog.node.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.replog.node.server.NodeRole;

/** Pipeline of the HTTP port: Netty's HTTP codec, whole requests up to the frame limit, the bridge. */
public final class HttpBridgeInitializer extends ChannelInitializer<SocketChannel> {
    private final NodeRole role;
    private final int maxBodyBytes;

    public HttpBridgeInitializer(final NodeRole role, final int maxBodyBytes) {
        this.role = role;
        this.maxBodyBytes = maxBodyBytes;
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
