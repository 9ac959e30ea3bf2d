package io.replog.node.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.replog.node.role.NodeRole;
import io.replog.node.metrics.ErrorCounts;
import io.replog.node.security.AuthStats;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.ReplicationGuard;
import io.replog.node.security.TlsSettings;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FramingErrorHandler;
import io.replog.protocol.ProtocolPipeline;
import io.replog.node.logging.RepeatSuppressingLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline of the binary port: idle timeout, framing, frame codec, the read gate (requests wait while it is
 * shut), the replication guard (the cluster-key handshake), the request handler, and the framing-error guard last.
 * A connection past the limit gets one TOO_MANY_CONNECTIONS ERROR frame instead.
 */
public final class FrameServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameServerInitializer.class);

    private final NodeRole role;
    private final int maxFrameLength;
    /** A peer that keeps sending what this node refuses (a master retrying) is logged sparingly. */
    private final RepeatSuppressingLog refusals = new RepeatSuppressingLog(LOG);
    private final ConnectionLimits limits;
    private final ClusterKey key;
    private final AuthStats auth;
    private final TlsSettings tls;
    private final ErrorCounts rejected;
    private final ReadWaiters readers;

    /**
     * @param key the cluster key replication must prove, null for none
     * @param tls TLS for every connection, null for plain TCP
     */
    public FrameServerInitializer(final NodeRole role, final int maxFrameLength, final ConnectionLimits limits,
                                  final ClusterKey key, final AuthStats auth, final ErrorCounts rejected,
                                  final ReadWaiters readers, final TlsSettings tls) {
        this.rejected = rejected;
        this.readers = readers;
        this.role = role;
        this.maxFrameLength = maxFrameLength;
        this.limits = limits;
        this.key = key;
        this.auth = auth;
        this.tls = tls;
    }

    @Override
    protected void initChannel(final SocketChannel ch) {
        final ChannelPipeline pipeline = ch.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.server().newHandler(ch.alloc()));
        }
        if (!limits.admit(ch)) {
            pipeline.addLast("refused", new RefusedConnectionHandler(null, this::refusal));
            return;
        }
        // stateful handlers: a new instance per connection
        final ReadGate gate = new ReadGate();
        final FrameRequestHandler requests = new FrameRequestHandler(role, maxFrameLength, gate, rejected, readers);
        ProtocolPipeline.addCodec(pipeline, maxFrameLength);
        pipeline.addLast("gate", gate);
        pipeline.addLast("guard", new ReplicationGuard(key, auth, tls != null && tls.mutual()));
        pipeline.addLast("requests", requests);
        pipeline.addLast("errors", new FramingErrorHandler(refusals, rejected::count));
        limits.addIdleTimeout(pipeline, requests::busy);
    }

    private ByteBuf refusal(final Channel ch) {
        final ByteBuf frame = ch.alloc().buffer(64);
        FrameCodec.writeError(frame, 0, ErrorCode.TOO_MANY_CONNECTIONS, limits.refusal());
        return frame;
    }
}
