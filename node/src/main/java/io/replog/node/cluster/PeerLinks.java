package io.replog.node.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.replog.node.consensus.PeerMessage;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.PeerTransport;
import io.replog.node.logging.RepeatCounter;
import io.replog.node.link.RetryBackoff;
import io.replog.node.link.PeerClientInitializer;
import io.replog.node.security.MasterHandshake;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.HostPort;
import io.replog.protocol.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A node's connections to its peers, one outbound connection to each peer whose address it knows, over which it says
 * everything it has to say to that peer. Fire and forget, as the consensus core expects: a message to a peer that is
 * not connected, or whose connection is not writable (a slow peer: the write buffer is bounded), is dropped, and the
 * core sends again on its next heartbeat. A broken connection is re-made with backoff. With a cluster key every
 * connection proves it first (the same handshake a master makes with its secondaries).
 *
 * <p>Where answers travel. Failover nodes all know each other's addresses and each answers on its own connection to
 * the asker. A fixed secondary does not know its master's address (the master dials it): for a peer without an
 * address this node answers on the connection that peer's last frame came in on ({@link #heardOn}). Frames a peer
 * sends back on this node's own connection to it are handed to {@link Inbound} as that peer's, whatever node id they
 * carry: the connection says who answered (fixed secondaries do not know their own ids).
 *
 * <p>Fixed roles' {@code --retry-cap-ms} caps the reconnect backoff. Where peers answer on this node's connections
 * (a static master's links: its secondaries know no address of it), a link that answered nothing for
 * {@code --replication-timeout-ms} is half-open (a network cut, a stopped process) and is dropped and made again,
 * as the fixed master's sender did. Failover links carry no answers (each node answers on its own link), so their
 * silence says nothing and they are not checked.
 */
final class PeerLinks implements PeerTransport, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);
    /** A refusal after this long without one starts a new run of refusals (logged as the 1st again). */
    private static final long REFUSAL_RUN_GAP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int self;
    private final Map<Integer, Link> links = new HashMap<>();
    /** The connection each peer without an address last spoke on: where this node answers it. */
    private final Map<Integer, Channel> inbound = new ConcurrentHashMap<>();
    private final Inbound answers;
    /** This node's log: named in what it sends as master, and in its handshakes. */
    private final LongSupplier logId;
    /** The reconnect backoff's cap (fixed roles' --retry-cap-ms). */
    private final RetryBackoff backoff;
    /** A link whose peer answered nothing for this long is dropped; 0: links are not checked. */
    private final long silenceLimitNanos;
    private volatile boolean closed;

    /** Where the peer frames a peer sends back on this node's connection to it go (its answers). */
    interface Inbound {
        void frame(int from, ChannelHandlerContext ctx, Frame frame);
    }

    private final class Link {
        final int id;
        final InetSocketAddress address;
        final Bootstrap bootstrap;
        volatile Channel ready;
        volatile Channel current;
        int failures;
        boolean wasUp;
        /** Why the cluster-key handshake with it failed, null once one succeeded (or without a key). */
        volatile String unauthorized;
        /** The last error it answered with, null while it has refused nothing since the link came up. */
        volatile Refusal refused;
        /** Refusals in a row: logged on the 1st and every 10th (a refusing peer refuses every heartbeat). */
        final RepeatCounter refusals = new RepeatCounter();
        /** When the current connection last carried a frame from the peer (or was made). */
        volatile long lastHeardNanos;
        /** Batches with entries sent to it, resends included (written by the replica's thread only). */
        volatile long batchesSent;

        Link(final int id, final InetSocketAddress address, final EventLoopGroup loops, final NodeConfig config) {
            this.id = id;
            this.address = address;
            this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                // as the fixed master's sender: a connect attempt never outlasts the backoff by much
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(500, Math.min(5_000,
                    config.retryCapMs())))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new PeerClientInitializer(config.tls(), address, config.maxFrameLength(),
                    config.clusterKey(), logId, config.replicationTimeoutMs(),
                    new MasterHandshake.Outcome() {
                        @Override
                        public void authenticated(final Channel channel) {
                            up(channel);
                        }

                        @Override
                        public void failed(final Channel channel, final String why, final boolean unauthorized) {
                            if (unauthorized) {
                                Link.this.unauthorized = why;
                            }
                            LOG.warn("node {}: node {} at {} refused this node's key: {}", self, id,
                                HostPort.format(address), why);
                        }
                    }, () -> new Answers(id)));
        }

        void connect() {
            if (closed) {
                return;
            }
            final ChannelFuture connecting = bootstrap.connect(address);
            connecting.addListener(f -> {
                if (!f.isSuccess()) {
                    retry();
                    return;
                }
                final Channel channel = connecting.channel();
                current = channel;
                if (closed) {
                    channel.close();
                    return;
                }
                channel.closeFuture().addListener(c -> {
                    ready = null;
                    if (wasUp) {
                        wasUp = false;
                        LOG.info("node {}: lost the connection to node {} at {}; reconnecting", self, id,
                            HostPort.format(address));
                    }
                    retry();
                });
                if (channel.pipeline().get(MasterHandshake.class) == null) {
                    up(channel);
                }
            });
        }

        void up(final Channel channel) {
            unauthorized = null;
            // a refusal is kept across the reconnect it caused (a frame too large for the peer closes the link): it
            // ages out by itself (PeerHealth reads only recent ones), so a peer that refuses every delivery but
            // answers heartbeats stays Failing, and its refusals in a row go on counting
            failures = 0;
            wasUp = true;
            ready = channel;
            lastHeardNanos = System.nanoTime();
            LOG.info("node {}: connected to node {} at {}", self, id, HostPort.format(address));
            if (silenceLimitNanos > 0) {
                checkSilence(channel);
            }
        }

        /** Drops {@code channel} once its peer answered nothing for the limit: a half-open link never heals. */
        void checkSilence(final Channel channel) {
            final long checkEveryMs = Math.max(10, silenceLimitNanos / 4_000_000);
            channel.eventLoop().schedule(() -> {
                if (!channel.isActive() || ready != channel) {
                    return;
                }
                final long silentNanos = System.nanoTime() - lastHeardNanos;
                if (silentNanos > silenceLimitNanos) {
                    LOG.warn("node {}: node {} at {} answered nothing for {} ms (--replication-timeout-ms); dropping "
                        + "the connection", self, id, HostPort.format(address), silentNanos / 1_000_000);
                    channel.close();
                } else {
                    checkSilence(channel);
                }
            }, checkEveryMs, TimeUnit.MILLISECONDS);
        }

        void retry() {
            if (closed) {
                return;
            }
            failures++;
            // a peer that refused this node's key is not hammered: it is retried at the cap
            bootstrap.config().group().schedule(this::connect, backoff.delayMs(failures, unauthorized != null),
                TimeUnit.MILLISECONDS);
        }
    }

    /** What a peer says on this node's connection: its answers, errors (a refused frame), and the handshake. */
    private final class Answers extends SimpleChannelInboundHandler<Frame> {
        private final int peer;

        Answers(final int peer) {
            super(false); // a peer frame is handed on as it is; the rest is released here
            this.peer = peer;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Frame frame) {
            final Link link = links.get(peer);
            if (link != null) {
                link.lastHeardNanos = System.nanoTime();
            }
            if (PeerFrames.sender(frame) != 0) {
                answers.frame(peer, ctx, frame);
                return;
            }
            ReferenceCountUtil.release(frame);
            if (frame instanceof ErrorFrame error && link != null) {
                // a run of refusals goes on while the peer refuses the same way, even if it answers heartbeats in
                // between (a peer that refuses every delivery still answers them); it ends with another refusal or
                // after a quiet spell, longer than the resends' backoff, in which it refused nothing
                final Refusal before = link.refused;
                final long now = System.nanoTime();
                if (before == null || !before.why().equals(error.message())
                    || now - before.atNanos() > REFUSAL_RUN_GAP_NANOS) {
                    link.refusals.ended();
                }
                link.refused = new Refusal(error.code(), error.message(), now);
                final long n = link.refusals.occurred();
                if (n > 0) {
                    LOG.warn("node {}: node {} refused a message: {} (refusal {} in a row)", self, peer,
                        error.message(), n);
                }
            }
        }

        /**
         * A reset by a peer that went away, or a frame from it that does not decode: this connection is done either
         * way; closing it makes the link again (a frame that does not decode would otherwise be dropped in silence
         * and its answer awaited forever).
         */
        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            if (cause instanceof java.io.IOException) {
                LOG.debug("node {}: connection to node {}: {}", self, peer, cause.toString());
            } else {
                LOG.warn("node {}: node {} sent what this node cannot take, dropping the connection: {}", self, peer,
                    cause.toString());
            }
            ctx.close();
        }
    }

    /**
     * @param config         the frame limit, cluster key, TLS, --retry-cap-ms and --replication-timeout-ms (the
     *                       handshake's, and the silence after which a link that carries answers is dropped)
     * @param answersOnLinks whether the peers answer on this node's connections (a static master's links), so that
     *                       a silent link is half-open
     * @param logId          this node's log id, named in the frames it sends as master
     * @param answers        where the peers' answers on this node's connections go (called on their event loops)
     */
    PeerLinks(final Peers peers, final EventLoopGroup loops, final NodeConfig config, final boolean answersOnLinks,
              final LongSupplier logId, final Inbound answers) {
        this.self = peers.self();
        this.answers = answers;
        this.logId = logId;
        this.backoff = new RetryBackoff(config.retryCapMs());
        this.silenceLimitNanos = answersOnLinks ? TimeUnit.MILLISECONDS.toNanos(config.replicationTimeoutMs()) : 0;
        for (final int id : peers.others()) {
            if (peers.address(id) != null) {
                links.put(id, new Link(id, peers.address(id), loops, config));
            }
        }
    }

    /**
     * Peer {@code from} spoke on {@code channel}, a connection it made to this node: when this node has no address
     * for it, its answers go there.
     */
    void heardOn(final int from, final Channel channel) {
        if (!links.containsKey(from) && inbound.get(from) != channel) {
            inbound.put(from, channel);
            channel.closeFuture().addListener(f -> inbound.remove(from, channel));
        }
    }

    void start() {
        links.values().forEach(Link::connect);
    }

    @Override
    public void send(final int to, final PeerMessage message) {
        final Link link = links.get(to);
        final Channel channel = link == null ? inbound.get(to) : link.ready;
        if (channel != null && channel.isWritable()) {
            channel.writeAndFlush(PeerFrames.toFrame(self, logId.getAsLong(), message), channel.voidPromise());
            if (link != null && message instanceof PeerMessage.Replicate r && carriesAMessage(r)) {
                link.batchesSent++; // one sender thread (the replica's): no lost update
            }
        }
    }

    /** Whether a batch carries a client's message (not only an epoch's start mark, nor a heartbeat's nothing). */
    private static boolean carriesAMessage(final PeerMessage.Replicate batch) {
        for (final io.replog.protocol.PeerEntry entry : batch.entries()) {
            if (!entry.epochStart()) {
                return true;
            }
        }
        return false;
    }

    /** Batches with messages sent to node {@code id} (heartbeats not counted), or -1 for a peer without a link. */
    long batchesSent(final int id) {
        final Link link = links.get(id);
        return link == null ? -1 : link.batchesSent;
    }

    /** Whether node {@code id} is connected now (for a peer without an address: it has a connection to this node). */
    boolean connected(final int id) {
        final Link link = links.get(id);
        if (link == null) {
            final Channel channel = inbound.get(id);
            return channel != null && channel.isActive();
        }
        return link.ready != null;
    }

    /** Why node {@code id} refused this node's cluster key, or null when it did not (or no key is used). */
    String unauthorized(final int id) {
        final Link link = links.get(id);
        return link == null ? null : link.unauthorized;
    }

    /** The last error node {@code id} answered with (kept across reconnects: it ages out), or null. */
    Refusal refused(final int id) {
        final Link link = links.get(id);
        return link == null ? null : link.refused;
    }

    @Override
    public boolean refusing(final int peer, final long withinNanos) {
        final Refusal refusal = refused(peer);
        return refusal != null && System.nanoTime() - refusal.atNanos() < withinNanos;
    }

    /** An error a peer answered with (its code and text), and when ({@link System#nanoTime()}). */
    record Refusal(short code, String why, long atNanos) {
    }

    @Override
    public void close() {
        closed = true;
        for (final Link link : links.values()) {
            final Channel channel = link.current;
            if (channel != null) {
                channel.close().awaitUninterruptibly(1_000);
            }
        }
    }
}
