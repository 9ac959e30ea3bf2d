package io.replog.node.server;

import io.replog.node.role.NodeRole;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.replog.protocol.FramingErrorHandler;
import io.replog.protocol.ProtocolPipeline;
import io.replog.node.logging.RepeatSuppressingLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pipeline of the binary port: framing, frame codec, the request handler, and the framing-error guard last. */
public final class FrameServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameServerInitializer.class);

    private final NodeRole role;
    private final int maxFrameLength;
    /** A peer that keeps sending what this node refuses (a master retrying) is logged sparingly. */
    private final RepeatSuppressingLog refusals = new RepeatSuppressingLog(LOG);

    public FrameServerInitializer(final NodeRole role, final int maxFrameLength) {
        this.role = role;
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void initChannel(final SocketChannel ch) {
        ProtocolPipeline.addCodec(ch.pipeline(), maxFrameLength);
        // stateful handlers: a new instance per connection
        ch.pipeline().addLast("requests", new FrameRequestHandler(role, maxFrameLength));
        ch.pipeline().addLast("errors", new FramingErrorHandler(refusals));
    }
}
