package io.replog.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Tls;
import io.replog.protocol.ReplogException;
import io.replog.protocol.Transport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Drives {@link BenchConnection}s for a warm-up and a measured period and collects the results. */
public final class LoadGenerator {
    /** Latencies up to a minute, 3 significant digits. */
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final BenchSettings settings;
    private final InetSocketAddress server;
    private final SslContext tls;
    private final int connectTimeoutMs;

    public LoadGenerator(final BenchSettings settings, final InetSocketAddress server, final int connectTimeoutMs) {
        this(settings, server, connectTimeoutMs, null);
    }

    /** @param tls a client TLS context to speak TLS to the node, null for plain TCP */
    public LoadGenerator(final BenchSettings settings, final InetSocketAddress server, final int connectTimeoutMs,
                         final SslContext tls) {
        this.settings = settings;
        this.server = server;
        this.connectTimeoutMs = connectTimeoutMs;
        this.tls = tls;
    }

    /** Runs the benchmark; {@code progress} (may be null) gets a live line each second. */
    public BenchResult run(final PrintWriter progress) throws InterruptedException {
        final EventLoopGroup group = Transport.group(Math.min(settings.connections(),
            Math.max(1, Runtime.getRuntime().availableProcessors())), "bench");
        final Recorder recorder = new Recorder(MAX_LATENCY_NANOS, 3);
        final List<BenchConnection> connections = new ArrayList<>();
        try {
            final long quota = settings.messages() > 0
                ? (settings.messages() + settings.connections() - 1) / settings.connections() : Long.MAX_VALUE;
            for (int i = 0; i < settings.connections(); i++) {
                final BenchConnection c = new BenchConnection(settings, recorder, quota);
                connect(group, c);
                connections.add(c);
            }
            final Measurement m = new Measurement(connections, recorder);
            m.startAndWarmUp();
            m.measure(progress);
            final long okAtEnd = sum(connections, true);
            final long measuredNanos = System.nanoTime() - m.measuredFrom;
            m.stopAndDrain();
            if (progress != null) {
                progress.println();
                progress.flush();
            }
            String firstError = null;
            for (final BenchConnection c : connections) {
                if (firstError == null) {
                    firstError = c.firstError();
                }
            }
            return new BenchResult(settings, okAtEnd - m.okAtStart, sum(connections, false), measuredNanos, m.total,
                firstError);
        } finally {
            for (final BenchConnection c : connections) {
                if (c.channel() != null) {
                    c.channel().close();
                }
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** One run's phases: warm-up (not recorded), the measured period, the drain of what is still in flight. */
    private final class Measurement {
        final List<BenchConnection> connections;
        final Recorder recorder;
        final Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
        Histogram interval;
        long measuredFrom;
        long okAtStart;

        Measurement(final List<BenchConnection> connections, final Recorder recorder) {
            this.connections = connections;
            this.recorder = recorder;
        }

        void startAndWarmUp() throws InterruptedException {
            final double perConnectionRate = settings.rate() / settings.connections();
            final boolean warm = settings.warmupNanos() > 0;
            for (final BenchConnection c : connections) {
                c.channel().eventLoop().execute(() -> {
                    c.setRecording(!warm);
                    c.start(perConnectionRate);
                });
            }
            measuredFrom = System.nanoTime();
            if (warm) {
                sleepUntil(measuredFrom + settings.warmupNanos(), connections);
                for (final BenchConnection c : connections) {
                    c.channel().eventLoop().execute(() -> c.setRecording(true));
                }
                recorder.reset();
                measuredFrom = System.nanoTime();
                okAtStart = sum(connections, true);
            }
        }

        void measure(final PrintWriter progress) throws InterruptedException {
            final long end = settings.messages() > 0 ? Long.MAX_VALUE : measuredFrom + settings.durationNanos();
            long lastOk = okAtStart;
            long lastTick = measuredFrom;
            while (!allDone(connections) && System.nanoTime() < end) {
                sleepUntil(Math.min(end, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)), connections);
                interval = recorder.getIntervalHistogram(interval);
                total.add(interval);
                if (progress != null) {
                    final long now = System.nanoTime();
                    final long okNow = sum(connections, true);
                    progress.printf("\r%6.1fs %,12.0f ops/s  p50 %,8.1f us  p99 %,9.1f us  errors %d   ",
                        (now - measuredFrom) / 1e9, (okNow - lastOk) * 1e9 / Math.max(1, now - lastTick),
                        interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3,
                        sum(connections, false));
                    progress.flush();
                    lastOk = okNow;
                    lastTick = now;
                }
            }
        }

        void stopAndDrain() throws InterruptedException {
            for (final BenchConnection c : connections) {
                c.channel().eventLoop().execute(c::stop);
            }
            // let the answers to what is still in flight come back (their latencies count; they are not timed)
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (connections.stream().anyMatch(c -> c.outstanding() > 0 && c.channel().isActive())
                && System.nanoTime() < drainDeadline) {
                Thread.sleep(5);
            }
            total.add(recorder.getIntervalHistogram(interval));
        }
    }

    private void connect(final EventLoopGroup group, final BenchConnection connection) {
        final ChannelFuture f = new Bootstrap().group(group).channel(Transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(Tls.clientHandler(tls, ch.alloc(), server.getHostString(),
                            server.getPort()));
                    }
                    ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 0,
                        FrameHeader.LENGTH_FIELD_LENGTH, 0, FrameHeader.LENGTH_FIELD_LENGTH, true));
                    ch.pipeline().addLast(connection);
                }
            })
            .connect(server).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new ReplogException(ReplogException.CONNECTION_LOST,
                "cannot connect to " + server + ": " + f.cause().getMessage());
        }
        if (tls != null && !f.channel().pipeline().get(SslHandler.class).handshakeFuture().awaitUninterruptibly()
            .isSuccess()) {
            throw new ReplogException(ReplogException.CONNECTION_LOST, "TLS with " + server + " failed: "
                + f.channel().pipeline().get(SslHandler.class).handshakeFuture().cause().getMessage());
        }
    }

    private static boolean allDone(final List<BenchConnection> connections) {
        for (final BenchConnection c : connections) {
            if (!c.done() && c.channel().isActive()) {
                return false;
            }
        }
        return true;
    }

    private static long sum(final List<BenchConnection> connections, final boolean ok) {
        long total = 0;
        for (final BenchConnection c : connections) {
            total += ok ? c.ok() : c.errors();
        }
        return total;
    }

    private static void sleepUntil(final long deadline, final List<BenchConnection> connections)
        throws InterruptedException {
        while (System.nanoTime() < deadline && !allDone(connections)) {
            Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }
}
