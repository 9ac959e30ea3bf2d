package io.replog.protocol.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.Append;
import io.replog.protocol.AppendOk;
import io.replog.protocol.EntryRun;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.Tls;
import io.netty.handler.ssl.SslHandler;
import io.replog.protocol.Frame;
import io.replog.protocol.Health;
import io.replog.protocol.HealthOk;
import io.replog.protocol.HostPort;
import io.replog.protocol.Ping;
import io.replog.protocol.ProtocolPipeline;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.protocol.ReplogException;
import io.replog.protocol.Transport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pipelined client for one replog node over the binary protocol. Every call returns at once with a future;
 * any number of requests may be in flight, answers are matched by request id. Thread-safe.
 *
 * <p>How a future fails tells the caller whether trying again can help: with the node's {@link ErrorCode} when
 * the node refused the request (a framing error, code below 100, fails every request still pending on the
 * connection with that code, since the node closes it and cannot say which bytes it refused); with
 * {@link ReplogException#CONNECTION_LOST} when the connection broke before an answer; with
 * {@link ReplogException#NOT_REPLOG_PEER} when the peer's bytes are not replog frames at all.
 */
public final class ReplogClient implements AutoCloseable {
    /** Messages asked for per READ by {@link #readAll()}. */
    public static final int READ_PAGE = 10_000;

    private final Channel channel;
    private final EventLoopGroup ownedGroup;
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final InFlightRequests inFlight;
    /** Event-loop confined. */
    private boolean flushScheduled;

    private ReplogClient(final Channel channel, final EventLoopGroup ownedGroup, final InFlightRequests inFlight) {
        this.channel = channel;
        this.ownedGroup = ownedGroup;
        this.inFlight = inFlight;
    }

    /** Connects with a private single-thread event loop, closed with the client; default options. */
    public static ReplogClient connect(final String host, final int port) {
        return connect(new InetSocketAddress(host, port), ClientOptions.defaults());
    }

    /** Parses {@code host:port}; default options. */
    public static ReplogClient connect(final String hostPort) {
        return connect(HostPort.parse(hostPort), ClientOptions.defaults());
    }

    /** Parses {@code host:port}. */
    public static ReplogClient connect(final String hostPort, final ClientOptions options) {
        return connect(HostPort.parse(hostPort), options);
    }

    /** Connects with a private single-thread event loop, closed with the client. */
    public static ReplogClient connect(final InetSocketAddress address, final ClientOptions options) {
        final EventLoopGroup group = Transport.group(1, "replog-client");
        try {
            return connect(group, address, options, group);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Connects on a caller-owned event loop group, with the default connect timeout. */
    public static ReplogClient connect(final EventLoopGroup group, final InetSocketAddress address,
                                       final int maxFrameLength) {
        return connect(group, address, ClientOptions.defaults().withMaxFrameLength(maxFrameLength), null);
    }

    private static ReplogClient connect(final EventLoopGroup group, final InetSocketAddress address,
                                        final ClientOptions options, final EventLoopGroup owned) {
        final InFlightRequests.ResponseHandler handler = new InFlightRequests.ResponseHandler();
        final FirstBytes firstBytes = new FirstBytes();
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(Transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMs())
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    if (options.tls() != null) {
                        ch.pipeline().addLast("tls", Tls.clientHandler(options.tls(), ch.alloc(),
                            address.getHostString(), address.getPort()));
                    }
                    ch.pipeline().addLast(firstBytes);
                    ProtocolPipeline.addCodec(ch.pipeline(), options.maxFrameLength());
                    ch.pipeline().addLast(handler);
                }
            });
        final String peer = HostPort.format(address);
        final ChannelFuture connected = bootstrap.connect(address).awaitUninterruptibly();
        if (!connected.isSuccess()) {
            throw new ReplogException(ReplogException.CONNECTION_LOST,
                "cannot connect to " + peer + ": " + (connected.cause() instanceof ConnectTimeoutException
                    ? "no answer within " + options.connectTimeoutMs() + " ms" : connected.cause().getMessage()));
        }
        if (options.tls() != null) {
            final SslHandler tls = connected.channel().pipeline().get(SslHandler.class);
            if (!tls.handshakeFuture().awaitUninterruptibly().isSuccess()) {
                connected.channel().close();
                throw new ReplogException(ReplogException.CONNECTION_LOST, "TLS with " + peer + " failed: "
                    + tls.handshakeFuture().cause().getMessage());
            }
        }
        final InFlightRequests inFlight = new InFlightRequests(peer, firstBytes);
        final ReplogClient client = new ReplogClient(connected.channel(), owned, inFlight);
        handler.attach(inFlight);
        connected.channel().closeFuture().addListener(f -> inFlight.failAll());
        return client;
    }

    /** Appends {@code text} (UTF-8) with write concern {@code w}; completes with its msg_id. */
    public CompletableFuture<Long> append(final String text, final int w) {
        return append(text.getBytes(StandardCharsets.UTF_8), w, 0);
    }

    /**
     * Appends {@code payload} with write concern {@code w}, waiting at most {@code timeoutMs} for it (0: no limit);
     * completes with its msg_id, or exceptionally with a {@link ReplogException}.
     */
    public CompletableFuture<Long> append(final byte[] payload, final int w, final long timeoutMs) {
        return append(payload, w, timeoutMs, 0, 0);
    }

    /**
     * A tagged append: re-sending the same {@code (clientId, seq)} (say after a broken connection) is answered with
     * the msg_id of the first time, never stored twice. {@code clientId} 0 sends an untagged append.
     */
    public CompletableFuture<Long> append(final byte[] payload, final int w, final long timeoutMs, final long clientId,
                                          final long seq) {
        final long id = nextRequestId.getAndIncrement();
        return send(new Append(id, w, timeoutMs, clientId, seq, Unpooled.wrappedBuffer(payload)))
            .thenApply(f -> ((AppendOk) f).msgId());
    }

    /**
     * A tagged append answered with the whole APPEND_OK: its msg_id, and whether the tag was stored before (then
     * nothing new was; {@link AppendOk#duplicate()}). Another message under a tag already used fails with
     * {@code TAG_REUSED}.
     */
    public CompletableFuture<AppendOk> appendTagged(final byte[] payload, final int w, final long timeoutMs,
                                                    final long clientId, final long seq) {
        if (clientId == 0) {
            throw new IllegalArgumentException("a tagged append needs a client id other than 0");
        }
        final long id = nextRequestId.getAndIncrement();
        return send(new Append(id, w, timeoutMs, clientId, seq, Unpooled.wrappedBuffer(payload)))
            .thenApply(f -> (AppendOk) f);
    }

    /** Reads up to {@code maxCount} messages starting at {@code fromId}. */
    public CompletableFuture<ReadResult> read(final long fromId, final int maxCount) {
        return read(fromId, maxCount, 0);
    }

    /**
     * Reads up to {@code maxCount} messages starting at {@code fromId}; when the node holds none there yet, it answers
     * as soon as it does, or after {@code waitMs} (at most {@link Read#MAX_WAIT_MS}) with none: a long poll. A
     * connection may have one such READ waiting at a time.
     */
    public CompletableFuture<ReadResult> read(final long fromId, final int maxCount, final long waitMs) {
        if (waitMs < 0 || waitMs > Read.MAX_WAIT_MS) {
            throw new IllegalArgumentException("waitMs must be between 0 and " + Read.MAX_WAIT_MS + ", got " + waitMs);
        }
        final long id = nextRequestId.getAndIncrement();
        return send(new Read(id, fromId, maxCount, waitMs)).thenApply(f -> {
            final ReadOk ok = (ReadOk) f;
            try {
                final List<Message> messages = new ArrayList<>(ok.count());
                EntryRun.forEach(ok.entries(), ok.count(),
                    (i, payload) -> messages.add(new Message(ok.firstId() + i, ByteBufUtil.getBytes(payload))));
                return new ReadResult(messages, ok.lastId());
            } finally {
                ok.release();
            }
        });
    }

    /** Reads every message the node holds, page by page. */
    public List<Message> readAll() throws InterruptedException, ExecutionException {
        final List<Message> all = new ArrayList<>();
        long from = 1;
        while (true) {
            final ReadResult page = read(from, READ_PAGE).get();
            all.addAll(page.messages());
            if (page.messages().isEmpty() || from + page.messages().size() > page.lastId()) {
                return all;
            }
            from += page.messages().size();
        }
    }

    /** The node's health report, JSON (the same document as {@code GET /health}). */
    public CompletableFuture<String> health() {
        return send(new Health(nextRequestId.getAndIncrement()))
            .thenApply(f -> ((HealthOk) f).json());
    }

    /**
     * The request id of {@link #probeHealth}: its eight bytes read {@code "a b c \r\n"}, so the frame, read as
     * text, is control characters (which HTTP servers skip before a request) and then a complete, malformed request
     * line. Never reached by {@link #nextRequestId()} (it counts from 1).
     */
    public static final long HTTP_PROBE_REQUEST_ID = 0x6120_6220_6320_0d0aL;

    /**
     * {@link #health()} as the first request to a peer that may not be a replog node: a replog node answers it as
     * any HEALTH; an HTTP server (a replog node's HTTP port among them) answers "400 Bad Request" at once instead
     * of waiting for the end of a request line, and this client fails with {@link ReplogException#NOT_REPLOG_PEER}.
     * Once per connection (one request id).
     */
    public CompletableFuture<String> probeHealth() {
        return send(new Health(HTTP_PROBE_REQUEST_ID)).thenApply(f -> ((HealthOk) f).json());
    }

    /** The no-op round trip. */
    public CompletableFuture<Void> ping() {
        return send(new Ping(nextRequestId.getAndIncrement())).thenApply(f -> null);
    }

    /**
     * Sends any request frame and completes with the answer frame. An answer that carries bytes (READ_OK) is
     * handed over retained: the caller releases it. An ERROR answer completes exceptionally.
     */
    public CompletableFuture<Frame> send(final Frame request) {
        final CompletableFuture<Frame> answer = new CompletableFuture<>();
        if (!channel.isActive()) {
            ReferenceCountUtil.release(request);
            answer.completeExceptionally(inFlight.closeCause());
            return answer;
        }
        inFlight.add(request.requestId(), answer);
        if (!channel.isActive()) {
            // closed between the check and the put: the close listener may have run already
            inFlight.fail(request.requestId(), inFlight.closeCause());
        }
        if (channel.eventLoop().inEventLoop()) {
            write(request);
        } else {
            channel.eventLoop().execute(() -> write(request));
        }
        return answer;
    }

    /** Allocates a request id for a frame built by the caller. */
    public long nextRequestId() {
        return nextRequestId.getAndIncrement();
    }

    public boolean isConnected() {
        return channel.isActive();
    }

    public Channel channel() {
        return channel;
    }

    /** On the event loop: write now, flush once after the burst of writes already queued behind this one. */
    private void write(final Frame request) {
        channel.write(request).addListener(f -> {
            if (!f.isSuccess()) {
                inFlight.fail(request.requestId(), new ReplogException(ReplogException.CONNECTION_LOST,
                    "write failed: " + f.cause()));
            }
        });
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                channel.flush();
            });
        }
    }

    /** Closes the connection; whatever is still pending fails with CONNECTION_LOST by the time this returns. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        inFlight.failAll();
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
