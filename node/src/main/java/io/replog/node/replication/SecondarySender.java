package io.replog.node.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.LogStore;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.MasterHandshake;
import io.replog.node.security.TlsSettings;
import io.netty.handler.ssl.SslHandler;
import io.replog.protocol.Ack;
import io.replog.protocol.Truncate;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.HostPort;
import io.replog.protocol.Replicate;
import io.replog.protocol.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The master's connection to one secondary: connects, reconnects after the backoff, drives the heartbeat timer,
 * and feeds what arrives to the {@link ReplicationStream} that decides what to send. Everything runs on one event
 * loop, so there are no locks; the accessors read volatile state for /health and the quorum.
 */
public final class SecondarySender {
    private static final Logger LOG = LoggerFactory.getLogger(SecondarySender.class);

    private final String name;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final HealthTracker health;
    private final ReplicationStream stream;
    private final long heartbeatMs;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask;

    // event-loop confined
    private ChannelLink current;
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> heartbeat;
    private volatile boolean closed;
    private final ClusterKey key;
    private final TlsSettings tls;
    private final MasterHandshake.Outcome handshakeOutcome = new MasterHandshake.Outcome() {
        @Override
        public void authenticated(final Channel channel) {
            health.authenticated();
            onConnected(channel);
        }

        @Override
        public void failed(final Channel channel, final String why, final boolean unauthorized) {
            if (unauthorized) {
                health.unauthorized(why);
            }
            reconnectIn(stream.connectFailed("handshake failed: " + why));
        }
    };

    /** @param positionListener told (on the event loop) every position the secondary acknowledges */
    public SecondarySender(final InetSocketAddress address, final LogStore log, final EventLoop loop,
                           final NodeConfig config, final LongConsumer positionListener) {
        this.name = HostPort.format(address);
        this.address = address;
        this.loop = loop;
        this.heartbeatMs = config.heartbeatMs();
        this.key = config.clusterKey();
        this.tls = config.tls();
        this.health = new HealthTracker(config.clock(), config.suspectAfterMs(), config.unhealthyAfterMs());
        this.stream = new ReplicationStream(name, log, config.clock(), loop::schedule, health,
            new RetryBackoff(config.retryCapMs()), positionListener, config.maxFrameLength(), config.heartbeatMs(),
            config.replicationTimeoutMs());
        this.drainTask = () -> {
            drainScheduled.set(false);
            stream.drain();
        };
        final int maxFrameLength = config.maxFrameLength();
        this.bootstrap = new Bootstrap()
            .group(loop)
            .channel(Transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(500, Math.min(5_000, config.retryCapMs())))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(4 << 20, 8 << 20))
            .handler(new ReplicationClientInitializer(tls, address, maxFrameLength, key, log::logId,
                config.replicationTimeoutMs(), handshakeOutcome, AnswerHandler::new));
    }

    public String name() {
        return name;
    }

    /** Highest msg_id the secondary confirmed holding (with everything before it). */
    public long ackedId() {
        return stream.ackedId();
    }

    /** REPLICATE frames with entries sent so far, resends included. Any thread. */
    public long batchesSent() {
        return stream.batchesSent();
    }

    public SenderState state() {
        return stream.state();
    }

    public SecondaryHealth health() {
        return health.status();
    }

    /** Why the secondary is not Healthy, null when it is. */
    public String reason(final SecondaryHealth status) {
        return health.reason(status);
    }

    /** Milliseconds since the secondary last answered, -1 if it never did. */
    public long silentMs() {
        return health.silentMs();
    }

    public void start() {
        loop.execute(() -> {
            heartbeat = loop.scheduleAtFixedRate(stream::tick, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
            connect();
        });
    }

    /** From the sequencer: the log grew. Coalesces: at most one drain task is queued at a time. */
    public void logAdvanced() {
        if (!drainScheduled.getAndSet(true)) {
            loop.execute(drainTask);
        }
    }

    private void connect() {
        reconnect = null;
        if (closed) {
            return;
        }
        bootstrap.connect(address).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                if (tls != null) {
                    f.channel().pipeline().get(SslHandler.class).handshakeFuture()
                        .addListener(h -> tlsDone(f.channel(), h.isSuccess() ? null : h.cause()));
                } else if (key == null) {
                    onConnected(f.channel());
                } // else the key handshake reports (handshakeOutcome)
            } else {
                reconnectIn(stream.connectFailed(String.valueOf(f.cause().getMessage())));
            }
        });
    }

    /** The TLS handshake ended: a certificate the master does not trust (or that refused it) is Unauthorized. */
    private void tlsDone(final Channel ch, final Throwable failure) {
        if (failure != null) {
            if (failure instanceof javax.net.ssl.SSLException) { // not a connection that merely broke meanwhile
                health.unauthorized("TLS handshake failed: " + failure.getMessage());
            }
            if (key == null) { // with a key, the key handshake sees the connection close and reports it
                reconnectIn(stream.connectFailed("TLS handshake failed: " + failure.getMessage()));
            }
            ch.close();
        } else if (key == null) {
            health.authenticated();
            onConnected(ch);
        }
    }

    private void onConnected(final Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        current = new ChannelLink(ch);
        stream.connected(current);
    }

    private void onDisconnected(final Channel ch) {
        if (current == null || current.channel != ch) {
            return;
        }
        current = null;
        reconnectIn(stream.disconnected("connection closed"));
    }

    private void reconnectIn(final long delayMs) {
        if (closed || delayMs < 0 || reconnect != null) {
            return;
        }
        reconnect = loop.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Stops for good; safe from any thread. */
    public void close() {
        closed = true;
        loop.execute(() -> {
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            stream.close();
        });
    }

    /** The link as the stream sees it; once closed, what the channel still delivers is ignored. */
    private static final class ChannelLink implements ReplicationLink {
        final Channel channel;
        boolean closed;

        ChannelLink(final Channel channel) {
            this.channel = channel;
        }

        @Override
        public void send(final Replicate frame) {
            channel.write(frame, channel.voidPromise());
        }

        @Override
        public void send(final Truncate frame) {
            channel.write(frame, channel.voidPromise());
        }

        @Override
        public void flush() {
            channel.flush();
        }

        @Override
        public boolean isWritable() {
            return channel.isWritable();
        }

        @Override
        public void close() {
            closed = true;
            channel.close();
        }
    }

    private final class AnswerHandler extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Frame frame) {
            final ChannelLink link = current;
            if (link == null || link.channel != ctx.channel() || link.closed) {
                return;
            }
            if (frame instanceof Ack ack) {
                stream.ack(ack.requestId(), ack.ackedId(), ack.lastEpoch());
            } else if (frame instanceof ErrorFrame error) {
                stream.error(error.requestId(), error.code(), error.message());
            } else {
                LOG.warn("{}: unexpected {} from secondary, reconnecting", name, frame);
                ctx.close();
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                stream.drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            onDisconnected(ctx.channel());
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            // the resulting "connection lost" line tells the operator; the I/O detail is for debugging
            if (cause instanceof java.io.IOException) {
                LOG.debug("{}: {}", name, cause.toString());
            } else {
                LOG.warn("{}: replication connection failed", name, cause);
            }
            ctx.close();
        }
    }
}
