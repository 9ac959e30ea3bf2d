package io.replog.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.replog.node.logging.OncePerSecond;
import io.replog.node.role.AppendRequest;
import io.replog.node.metrics.NodeMetrics;
import io.replog.node.role.NodeRole;
import io.replog.node.server.ReadGate;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The HTTP bridge for curl: {@code POST /append}, {@code GET /messages}, {@code GET /health}, {@code GET /metrics};
 * and for a browser, the live cluster page {@code GET /} with the document it polls, {@code GET /cluster}. Appends go
 * through the same {@link NodeRole} as binary APPENDs, so both interfaces behave alike. Every error is JSON
 * {@code {"detail": …}} with a fitting status.
 */
public final class HttpBridgeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpBridgeHandler.class);
    /** Clients that abandon requests can do so at will: one line a second at most. */
    private static final OncePerSecond ABANDONED_REPORTS = new OncePerSecond(System::nanoTime);

    /** timeout_ms is a uint32, as in the binary APPEND. */
    private static final long MAX_TIMEOUT_MS = 0xFFFF_FFFFL;

    private final NodeRole role;
    private final ReadGate gate;
    private final NodeMetrics metrics;

    /**
     * @param gate    the connection's read gate: shut while an append is answered, so answers stay in order
     * @param metrics what GET /metrics shows (and the cluster page's rates)
     */
    public HttpBridgeHandler(final NodeRole role, final ReadGate gate, final NodeMetrics metrics) {
        this.role = role;
        this.gate = gate;
        this.metrics = metrics;
    }

    /** True while an append waits for its answer: the connection is quiet, not idle. */
    boolean busy() {
        return gate.pausedFor(ReadGate.ANSWERING);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            HttpResponses.error(ctx, HttpResponseStatus.BAD_REQUEST,
                "malformed HTTP request: " + request.decoderResult().cause().getMessage(), false);
            return;
        }
        final QueryStringDecoder query = new QueryStringDecoder(request.uri());
        final String path;
        final Map<String, List<String>> parameters;
        try {
            path = query.path();
            parameters = query.parameters();
        } catch (IllegalArgumentException e) {
            badRequest(ctx, "malformed URI: " + e.getMessage(), keepAlive);
            return;
        }
        final HttpMethod method = request.method();
        switch (path) {
            case "/append" -> {
                if (method != HttpMethod.POST) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "POST", keepAlive);
                } else {
                    append(ctx, request, query.rawQuery(), keepAlive);
                }
            }
            case "/messages" -> {
                if (method != HttpMethod.GET) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "GET", keepAlive);
                } else {
                    messages(ctx, parameters, keepAlive);
                }
            }
            case "/health" -> {
                if (method != HttpMethod.GET) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "GET", keepAlive);
                } else {
                    HttpResponses.json(ctx, HttpResponseStatus.OK, role.health(), keepAlive);
                }
            }
            case "/metrics" -> {
                if (method != HttpMethod.GET) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "GET", keepAlive);
                } else {
                    metrics(ctx, keepAlive);
                }
            }
            case "/" -> {
                if (method != HttpMethod.GET) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "GET", keepAlive);
                } else {
                    ClusterPage.page(ctx, keepAlive);
                }
            }
            case "/cluster" -> {
                if (method != HttpMethod.GET) {
                    HttpResponses.methodNotAllowed(ctx, method.name(), path, "GET", keepAlive);
                } else {
                    ClusterPage.status(ctx, role, metrics, keepAlive);
                }
            }
            default -> HttpResponses.error(ctx, HttpResponseStatus.NOT_FOUND,
                "Not Found: " + path + " (routes: POST /append, GET /messages, GET /health, GET /metrics, "
                    + "GET / (the live cluster page), GET /cluster)", keepAlive);
        }
    }

    /**
     * Prometheus text format. A scrape takes milliseconds (the JVM's metrics walk every thread), so it runs on the
     * metrics thread, never on this event loop, which also serves appends and ACKs; the connection reads nothing
     * more until the answer is out, so answers stay in order.
     */
    private void metrics(final ChannelHandlerContext ctx, final boolean keepAlive) {
        gate.pause(ReadGate.ANSWERING);
        NodeMetrics.SCRAPES.execute(() -> {
            ByteBuf scraped = null;
            Throwable failure = null;
            try {
                scraped = ctx.alloc().buffer(16 * 1024);
                try (ByteBufOutputStream out = new ByteBufOutputStream(scraped)) {
                    metrics.write(out);
                }
            } catch (Throwable e) { // whatever happens, the connection gets an answer and reads again
                failure = e;
            }
            final ByteBuf content = scraped;
            final Throwable failed = failure;
            ctx.executor().execute(() -> {
                if (failed != null || !ctx.channel().isActive()) {
                    if (content != null) {
                        content.release();
                    }
                    if (failed != null && ctx.channel().isActive()) {
                        HttpResponses.error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "metrics failed: " + failed, false);
                    }
                } else {
                    HttpResponses.sendText(ctx, content, metrics.contentType(), keepAlive);
                }
                gate.resume(ReadGate.ANSWERING);
            });
        });
    }

    private void append(final ChannelHandlerContext ctx, final FullHttpRequest request, final String rawQuery,
                        final boolean keepAlive) {
        final JsonNode body;
        try {
            body = HttpResponses.JSON.readTree(new ByteBufInputStream(request.content()));
        } catch (JsonProcessingException e) {
            badRequest(ctx, "invalid JSON: " + e.getOriginalMessage(), keepAlive);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body == null || !body.isObject()) {
            badRequest(ctx, "the body must be a JSON object like {\"message\": \"text\", \"w\": 2}", keepAlive);
            return;
        }
        final JsonNode message = body.get("message");
        if (message == null || !message.isTextual()) {
            badRequest(ctx, "\"message\" is required and must be a string", keepAlive);
            return;
        }
        final Integer w = intField(body, "w", 1);
        if (w == null) {
            badRequest(ctx, "\"w\" must be an integer", keepAlive);
            return;
        }
        final JsonNode timeout = body.get("timeout_ms");
        final long timeoutMs = timeout == null || timeout.isNull() ? 0 : uint32(timeout);
        if (timeoutMs < 0) {
            badRequest(ctx, "\"timeout_ms\" must be an integer within 0.." + MAX_TIMEOUT_MS, keepAlive);
            return;
        }
        final JsonNode clientId = body.get("client_id");
        final JsonNode seq = body.get("seq");
        if ((clientId == null) != (seq == null)) {
            badRequest(ctx, "\"client_id\" and \"seq\" go together", keepAlive);
            return;
        }
        if (clientId != null && (!clientId.canConvertToLong() || !clientId.isIntegralNumber()
            || clientId.longValue() == 0
            || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 1)) {
            badRequest(ctx, "\"client_id\" must be a non-zero integer and \"seq\" an integer >= 1", keepAlive);
            return;
        }
        final String text = message.textValue();
        final int lone = loneSurrogate(text);
        if (lone >= 0) {
            // UTF-8 cannot carry it: encoding would silently turn it into '?'
            badRequest(ctx, String.format("\"message\" is not valid Unicode: a lone UTF-16 surrogate (\\u%04x) at "
                + "character %d; nothing stored", (int) text.charAt(lone), lone), keepAlive);
            return;
        }
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ErrorFrame refused = role.checkAppend(0, w, bytes.length);
        if (refused != null) {
            final String master = refused.code() == ErrorCode.NOT_MASTER ? role.masterHttpAddress() : null;
            if (master != null) {
                // nothing was stored here: the client may send the very same request there (curl -L does)
                final String location = "http://" + master + "/append" + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
                HttpResponses.redirect(ctx, location, refused.message() + "; send it to " + location, keepAlive);
            } else {
                HttpResponses.error(ctx, HttpStatuses.forErrorCode(refused.code()), refused.message(), keepAlive);
            }
            return;
        }
        final ByteBuf payload = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        // later requests wait until this answer is written: responses stay in request order
        gate.pause(ReadGate.ANSWERING);
        role.append(new AppendRequest(new HttpAppendExchange(ctx, gate, keepAlive), 0, w, timeoutMs,
            clientId == null ? 0 : clientId.longValue(), seq == null ? 0 : seq.longValue(), payload));
    }

    /** Where {@code text} holds a UTF-16 surrogate that is not half of a pair (JSON's "\\ud83d" alone), or -1. */
    static int loneSurrogate(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The field as an int, {@code absent} when missing, null when not an integer that fits. */
    private static Integer intField(final JsonNode body, final String name, final int absent) {
        final JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            return null;
        }
        return node.intValue();
    }

    /** The value as a uint32, -1 when it is not an integer within 0..2^32-1. */
    private static long uint32(final JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            return -1;
        }
        final long value = node.longValue();
        return value <= MAX_TIMEOUT_MS ? value : -1;
    }

    private void messages(final ChannelHandlerContext ctx, final Map<String, List<String>> parameters,
                          final boolean keepAlive) {
        final long from;
        final long limit;
        try {
            from = longParam(parameters, "from", 1);
            limit = longParam(parameters, "limit", Long.MAX_VALUE);
        } catch (NumberFormatException e) {
            badRequest(ctx, "\"from\" and \"limit\" must be integers", keepAlive);
            return;
        }
        if (from < 1 || limit < 0) {
            badRequest(ctx, "\"from\" must be >= 1 and \"limit\" >= 0", keepAlive);
            return;
        }
        final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
            .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        ctx.write(response);
        final ChannelFuture sent = ctx.writeAndFlush(new HttpChunkedInput(new MessagesJsonInput(role.log(), role.readableId(), from,
            limit)));
        // a damaged log found mid-stream: the status is sent, so the only honest answer is an unfinished one
        sent.addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private static long longParam(final Map<String, List<String>> parameters, final String name,
                                  final long absent) {
        final List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? absent : Long.parseLong(values.get(0));
    }

    private static void badRequest(final ChannelHandlerContext ctx, final String detail, final boolean keepAlive) {
        HttpResponses.error(ctx, HttpResponseStatus.BAD_REQUEST, detail, keepAlive);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof PrematureChannelClosureException) {
            // the client went away in the middle of its request (a body half sent, an upload given up after 413):
            // its doing, not the node's; nothing was stored
            final int times = ABANDONED_REPORTS.occurred();
            if (times > 0) {
                LOG.info("{}: closed the connection in the middle of its request; nothing stored{}",
                    ctx.channel().remoteAddress(), times > 1 ? " (" + times + " such since the last report)" : "");
            }
        } else {
            LOG.warn("{}: HTTP bridge failed", ctx.channel().remoteAddress(), cause);
            if (ctx.channel().isActive()) {
                HttpResponses.error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + cause, false);
                return;
            }
        }
        ctx.close();
    }
}
