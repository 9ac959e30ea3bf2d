package io.replog.node.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.EntryRange;
import io.replog.node.log.LogStore;
import io.replog.protocol.Ack;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.ProtocolPipeline;
import io.replog.protocol.Replicate;
import io.replog.protocol.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ships the log to one secondary. Owns the connection and a cursor {@code nextId}; everything but the volatile
 * fields runs on one event loop, so there are no locks. The log is the source of truth: on every (re)connect the
 * sender asks the secondary where it is (an empty REPLICATE) and streams from there, so catching up after a restart
 * and live replication are the same code. Entries go in order, in batches, several batches in flight; ACKs are
 * cumulative. A failed delivery (refused or lost connection, an error answer, no answer in time) is retried without
 * limit, with exponential backoff and jitter, reset on success and slowest while the secondary is Unhealthy.
 * Idle connections carry a heartbeat (an empty REPLICATE) every heartbeat interval.
 */
public final class SecondarySender {
    private static final Logger LOG = LoggerFactory.getLogger(SecondarySender.class);
    /** REPLICATE frames sent and not yet acknowledged, at most. */
    static final int MAX_IN_FLIGHT = 16;
    /** Entries per REPLICATE frame, at most. */
    static final int MAX_BATCH_ENTRIES = 8192;
    /** Bytes per REPLICATE frame, at most (and never more than the frame limit allows). */
    static final int MAX_BATCH_BYTES = 1024 * 1024;
    /** First retry delay; doubles per consecutive failure up to the configured cap. */
    static final long RETRY_BASE_MS = 50;

    private final String name;
    private final InetSocketAddress address;
    private final LogStore log;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Runnable ackListener;
    private final int maxBatchBytes;
    private final long heartbeatMs;
    private final long retryCapMs;
    private final long replicationTimeoutNanos;
    private final HealthTracker health;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = () -> {
        drainScheduled.set(false);
        drain();
    };
    private final boolean debug = LOG.isDebugEnabled();

    // event-loop confined
    private Channel channel;
    private long nextId = 1;
    private int inFlight;
    private final long[] sentAt = new long[MAX_IN_FLIGHT];
    private long dataRequestId;
    private long probeRequestId;
    private int failures;
    private long lastSendNanos;
    private long connectedAtNanos;
    private boolean paused;
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> heartbeat;

    private volatile long ackedId;
    private volatile SenderState state = SenderState.CONNECTING;
    private volatile boolean closed;

    /**
     * @param ackListener told (on the event loop) whenever the acknowledged position moves
     */
    public SecondarySender(final InetSocketAddress address, final LogStore log, final EventLoop loop,
                           final NodeConfig config, final Runnable ackListener) {
        this.name = address.getHostString() + ":" + address.getPort();
        this.address = address;
        this.log = log;
        this.loop = loop;
        this.ackListener = ackListener;
        this.maxBatchBytes = Math.min(MAX_BATCH_BYTES, FrameHeader.maxPayload(config.maxFrameLength()));
        this.heartbeatMs = config.heartbeatMs();
        this.retryCapMs = config.retryCapMs();
        this.replicationTimeoutNanos = config.replicationTimeoutMs() * 1_000_000L;
        this.health = new HealthTracker(System::nanoTime, config.suspectAfterMs(), config.unhealthyAfterMs());
        final int maxFrameLength = config.maxFrameLength();
        this.bootstrap = new Bootstrap()
            .group(loop)
            .channel(Transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(500, Math.min(5_000, retryCapMs)))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(4 << 20, 8 << 20))
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    ProtocolPipeline.addCodec(ch.pipeline(), maxFrameLength);
                    ch.pipeline().addLast(new AnswerHandler());
                }
            });
    }

    public String name() {
        return name;
    }

    /** Highest msg_id the secondary confirmed holding (with everything before it). */
    public long ackedId() {
        return ackedId;
    }

    public SenderState state() {
        return state;
    }

    public SecondaryHealth health() {
        return health.status();
    }

    /** Milliseconds since the secondary last answered, -1 if it never did. */
    public long silentMs() {
        return health.silentMs();
    }

    public void start() {
        loop.execute(() -> {
            heartbeat = loop.scheduleAtFixedRate(this::onHeartbeatTimer, heartbeatMs, heartbeatMs,
                TimeUnit.MILLISECONDS);
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
        if (state != SenderState.DIVERGED) {
            state = SenderState.CONNECTING;
        }
        bootstrap.connect(address).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                onConnected(f.channel());
            } else {
                retryLater("cannot connect: " + f.cause().getMessage());
            }
        });
    }

    private void onConnected(final Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        channel = ch;
        connectedAtNanos = System.nanoTime();
        inFlight = 0;
        paused = false;
        if (state != SenderState.DIVERGED) {
            state = SenderState.PROBING;
        }
        sendProbe(ch);
    }

    /** Probes and heartbeats use negative request ids, so their ACKs are never counted as data ACKs. */
    private void sendProbe(final Channel ch) {
        lastSendNanos = System.nanoTime();
        ch.writeAndFlush(new Replicate(--probeRequestId, log.logId(), log.lastId() + 1, 0, Unpooled.EMPTY_BUFFER),
            ch.voidPromise());
    }

    private void onHeartbeatTimer() {
        final Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        final long now = System.nanoTime();
        if (inFlight > 0 && now - sentAt[(int) ((dataRequestId - inFlight + 1) % MAX_IN_FLIGHT)]
            > replicationTimeoutNanos) {
            LOG.info("{}: no answer to a replication request for {} ms; reconnecting to resend from {}", name,
                replicationTimeoutNanos / 1_000_000, ackedId + 1);
            ch.close();
            return;
        }
        if (now - connectedAtNanos > replicationTimeoutNanos
            && health.silentMs() * 1_000_000L > replicationTimeoutNanos) {
            // not even heartbeats come back: the connection may be half-open after a network cut; make a new one
            LOG.info("{}: no answer to anything for {} ms; reconnecting", name, health.silentMs());
            ch.close();
            return;
        }
        if (now - lastSendNanos >= heartbeatMs * 1_000_000L / 2) {
            sendProbe(ch);
        }
    }

    private void onAnswer() {
        health.contact(); // QuorumMonitor logs the resulting state changes
    }

    private void onAck(final Ack ack) {
        onAnswer();
        final long position = ack.ackedId();
        if (ack.requestId() < 0) {
            onProbeAnswer(position);
        } else {
            inFlight--;
            if (position > ackedId) {
                ackedId = position;
            }
            if (failures > 0 && !paused) {
                failures = 0; // a delivery succeeded: the next failure starts the backoff from the beginning
            }
            if (debug) {
                LOG.debug("{}: ACK up to msg_id={}", name, position);
            }
            if (inFlight == 0 && position < nextId - 1 && !paused) {
                // everything sent was answered yet the secondary is missing some: go back and resend from there
                LOG.info("{}: secondary acknowledged {} of {} sent entries, resending from {}", name, position,
                    nextId - 1, position + 1);
                nextId = position + 1;
            }
        }
        ackListener.run();
        drain();
    }

    private void onProbeAnswer(final long position) {
        if (state == SenderState.STREAMING) {
            // a heartbeat: the position is cumulative, so it can only confirm more
            if (position > ackedId) {
                ackedId = position;
            }
            return;
        }
        if (state != SenderState.PROBING && state != SenderState.DIVERGED) {
            return;
        }
        final long masterLast = log.lastId();
        state = SenderState.STREAMING;
        ackedId = position;
        nextId = position + 1;
        if (failures > 0 || position < masterLast) {
            LOG.info("{}: connected after {} attempt(s); secondary has {} of {} messages, catching up {}", name,
                failures + 1, position, masterLast, masterLast - position);
        } else {
            LOG.info("{}: connected; secondary is up to date at {}", name, position);
        }
        failures = 0;
    }

    private void drain() {
        final Channel ch = channel;
        if (ch == null || state != SenderState.STREAMING || paused || !ch.isActive()) {
            return;
        }
        boolean wrote = false;
        while (inFlight < MAX_IN_FLIGHT && ch.isWritable()) {
            if (nextId > log.lastId()) {
                break;
            }
            final EntryRange range = log.read(nextId, MAX_BATCH_ENTRIES, maxBatchBytes);
            final long now = System.nanoTime();
            sentAt[(int) (++dataRequestId % MAX_IN_FLIGHT)] = now;
            lastSendNanos = now;
            ch.write(new Replicate(dataRequestId, log.logId(), range.firstId(), range.count(), range.run()),
                ch.voidPromise());
            if (debug) {
                LOG.debug("{}: REPLICATE msg_id {}..{}", name, range.firstId(), range.lastId());
            }
            nextId += range.count();
            inFlight++;
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    private void onError(final ErrorFrame error) {
        onAnswer();
        if (error.code() == ErrorCode.LOG_MISMATCH) {
            if (state != SenderState.DIVERGED) {
                LOG.error("{}: the secondary holds another log and refuses this one: {}. Restart it empty; retrying",
                    name, error.message());
            }
            state = SenderState.DIVERGED;
            channel.close();
            return;
        }
        if (error.requestId() > 0) {
            inFlight--;
        }
        // go back to the first entry not acknowledged and resend it after a pause; what the secondary already
        // stored is ignored there as a duplicate
        failures++;
        final long delay = backoffMs();
        if (failures == 1 || failures % 10 == 0) {
            LOG.info("{}: delivery failed ({}), attempt {}; resending from {} in {} ms", name, error.message(),
                failures, ackedId + 1, delay);
        }
        nextId = ackedId + 1;
        if (!paused) {
            paused = true;
            loop.schedule(() -> {
                paused = false;
                nextId = Math.max(nextId, ackedId + 1);
                drain();
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void onDisconnected(final Channel ch, final String why) {
        if (ch != channel) {
            return;
        }
        channel = null;
        inFlight = 0;
        paused = false;
        if (closed) {
            state = SenderState.CLOSED;
            return;
        }
        LOG.info("{}: connection lost ({}); acknowledged up to {}", name, why, ackedId);
        retryLater(why);
    }

    private void retryLater(final String why) {
        if (closed || reconnect != null) {
            return;
        }
        if (state != SenderState.DIVERGED) {
            state = SenderState.CONNECTING;
        }
        failures++;
        final long delay = backoffMs();
        if (failures == 1 || failures % 10 == 0) {
            LOG.info("{}: {} (attempt {}, {}), retrying in {} ms", name, why, failures, health.status(), delay);
        }
        reconnect = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Exponential backoff with jitter in [d/2, d), d = base * 2^(failures-1) capped; an Unhealthy secondary is
     * retried at the cap only, so a dead node is not hammered.
     */
    private long backoffMs() {
        final long exp = RETRY_BASE_MS << Math.min(Math.max(failures - 1, 0), 20);
        final long d = health.status() == SecondaryHealth.Unhealthy ? retryCapMs : Math.min(retryCapMs, exp);
        return d / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, d / 2));
    }

    /** Stops for good; safe from any thread. */
    public void close() {
        closed = true;
        loop.execute(() -> {
            state = SenderState.CLOSED;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
        });
    }

    private final class AnswerHandler extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Frame frame) {
            if (ctx.channel() != channel) {
                return;
            }
            if (frame instanceof Ack ack) {
                onAck(ack);
            } else if (frame instanceof ErrorFrame error) {
                onError(error);
            } else {
                LOG.warn("{}: unexpected {} from secondary, reconnecting", name, frame);
                ctx.close();
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            onDisconnected(ctx.channel(), "connection closed");
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
