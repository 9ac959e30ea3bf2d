package io.replog.node.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.replog.node.metrics.NodeMetrics;
import io.replog.node.role.NodeRole;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The live cluster page: {@code GET /} serves one self-contained HTML file (inline CSS and JS, no outside
 * requests) that polls {@code GET /cluster} ({@link ClusterStatus}) every second and draws the nodes, the commit
 * point and a minute of append rate and latency.
 */
final class ClusterPage {
    /** The page's resource, next to this class in the jar. */
    static final String RESOURCE = "cluster.html";
    private static final String HTML_TYPE = "text/html; charset=utf-8";
    /** The page and its data change with every release and every second: the browser must always ask. */
    private static final String NO_CACHE = "no-cache";

    /** Read once, when the class loads ({@link #load()} at start-up), never per request. */
    private static final byte[] HTML = read();

    private ClusterPage() {
    }

    /**
     * Loads the page now, off the event loops: called as the HTTP port is set up, so a jar without the page fails
     * at start rather than on the first request.
     */
    static void load() {
        if (HTML.length == 0) {
            throw new IllegalStateException(RESOURCE + " is empty");
        }
    }

    /** Sends the page; the bytes are shared, wrapped per response (nothing is copied). */
    static void page(final ChannelHandlerContext ctx, final boolean keepAlive) {
        HttpResponses.sendText(ctx, Unpooled.wrappedBuffer(HTML), HTML_TYPE, NO_CACHE, keepAlive);
    }

    /** Sends the document the page polls. */
    static void status(final ChannelHandlerContext ctx, final NodeRole role, final NodeMetrics metrics,
                       final boolean keepAlive) {
        HttpResponses.sendText(ctx,
            HttpResponses.toJson(ctx, ClusterStatus.of(role, metrics.snapshot(), System.currentTimeMillis())),
            HttpHeaderValues.APPLICATION_JSON.toString(), NO_CACHE, keepAlive);
    }

    private static byte[] read() {
        try (InputStream in = ClusterPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + RESOURCE + " next to " + ClusterPage.class);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
