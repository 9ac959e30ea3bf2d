package io.replog.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes JSON responses; errors are always {@code {"detail": "..."}}. */
final class HttpResponses {
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpResponses() {
    }

    static void json(final ChannelHandlerContext ctx, final HttpResponseStatus status, final Object body,
                     final boolean keepAlive) {
        send(ctx, status, toJson(ctx, body), keepAlive, null);
    }

    static ByteBuf toJson(final ChannelHandlerContext ctx, final Object body) {
        return toJson(ctx.alloc(), body);
    }

    static ByteBuf toJson(final ByteBufAllocator alloc, final Object body) {
        final ByteBuf content = alloc.buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(content)) {
            JSON.writeValue((java.io.OutputStream) out, body);
            out.write('\n');
        } catch (IOException e) {
            content.release();
            throw new UncheckedIOException(e);
        }
        return content;
    }

    static void error(final ChannelHandlerContext ctx, final HttpResponseStatus status, final String detail,
                      final boolean keepAlive) {
        json(ctx, status, Map.of("detail", detail), keepAlive);
    }

    /** 405 with the Allow header naming the one method the path takes. */
    static void methodNotAllowed(final ChannelHandlerContext ctx, final String method, final String path,
                                 final String allow, final boolean keepAlive) {
        send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
            toJson(ctx, Map.of("detail", "Method " + method + " not allowed on " + path + "; use " + allow)),
            keepAlive, allow);
    }

    /** Sends {@code content} (already JSON) and takes ownership of it. */
    static void send(final ChannelHandlerContext ctx, final HttpResponseStatus status, final ByteBuf content,
                     final boolean keepAlive, final String allow) {
        write(ctx, response(status, content, keepAlive, allow), keepAlive);
    }

    /**
     * 307 Temporary Redirect: the same request (method and body) belongs at {@code location}; the body says why for
     * a client that does not follow it.
     */
    static void redirect(final ChannelHandlerContext ctx, final String location, final String detail,
                         final boolean keepAlive) {
        final FullHttpResponse response = response(HttpResponseStatus.TEMPORARY_REDIRECT,
            toJson(ctx, Map.of("detail", detail)), keepAlive, null);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        write(ctx, response, keepAlive);
    }

    private static void write(final ChannelHandlerContext ctx, final FullHttpResponse response,
                              final boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Sends {@code content} of {@code contentType} (200) and takes ownership of it. */
    static void sendText(final ChannelHandlerContext ctx, final ByteBuf content, final String contentType,
                         final boolean keepAlive) {
        sendText(ctx, content, contentType, null, keepAlive);
    }

    /** As {@link #sendText}, with a Cache-Control header unless {@code cacheControl} is null. */
    static void sendText(final ChannelHandlerContext ctx, final ByteBuf content, final String contentType,
                         final String cacheControl, final boolean keepAlive) {
        final FullHttpResponse response = response(HttpResponseStatus.OK, content, keepAlive, null);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (cacheControl != null) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        }
        write(ctx, response, keepAlive);
    }

    /** An error response {@code {"detail": …}} for whoever writes it (the aggregator, a refused connection). */
    static FullHttpResponse errorResponse(final ByteBufAllocator alloc, final HttpResponseStatus status,
                                          final String detail, final boolean keepAlive) {
        return response(status, toJson(alloc, Map.of("detail", detail)), keepAlive, null);
    }

    private static FullHttpResponse response(final HttpResponseStatus status, final ByteBuf content,
                                             final boolean keepAlive, final String allow) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
            .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        return response;
    }
}
