package io.replog.node.link;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.MasterHandshake;
import io.replog.node.security.TlsSettings;
import io.replog.protocol.ProtocolPipeline;
import io.replog.protocol.Tls;

import java.net.InetSocketAddress;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The pipeline of a connection a node opens to a peer (PeerLinks: a master's link to a secondary, a failover node's
 * link to another): TLS when configured, the frame codec, the cluster-key handshake when there is a key (the dialling
 * side proves itself as the master), then the handler of the answers.
 */
public final class PeerClientInitializer extends ChannelInitializer<SocketChannel> {
    private final TlsSettings tls;
    private final InetSocketAddress address;
    private final int maxFrameLength;
    private final ClusterKey key;
    private final LongSupplier logId;
    private final long handshakeTimeoutMs;
    private final MasterHandshake.Outcome outcome;
    private final Supplier<ChannelHandler> answers;

    /**
     * @param tls     null: plain TCP
     * @param key     null: no handshake ({@code logId}, {@code outcome} unused)
     * @param answers a new handler of the answers per connection
     */
    public PeerClientInitializer(final TlsSettings tls, final InetSocketAddress address, final int maxFrameLength,
                                        final ClusterKey key, final LongSupplier logId, final long handshakeTimeoutMs,
                                        final MasterHandshake.Outcome outcome, final Supplier<ChannelHandler> answers) {
        this.tls = tls;
        this.address = address;
        this.maxFrameLength = maxFrameLength;
        this.key = key;
        this.logId = logId;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.outcome = outcome;
        this.answers = answers;
    }

    @Override
    protected void initChannel(final SocketChannel ch) {
        if (tls != null) {
            ch.pipeline().addLast("tls", Tls.clientHandler(tls.client(), ch.alloc(), address.getHostString(),
                address.getPort()));
        }
        ProtocolPipeline.addCodec(ch.pipeline(), maxFrameLength);
        if (key != null) {
            ch.pipeline().addLast(new MasterHandshake(key, logId, handshakeTimeoutMs, outcome));
        }
        ch.pipeline().addLast(answers.get());
    }
}
