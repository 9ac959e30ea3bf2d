package io.replog.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.charset.StandardCharsets;

/**
 * First handler of a client pipeline: keeps a copy of the first bytes the peer sends, then leaves the pipeline.
 * When those bytes are not replog frames, they tell the user what the peer is instead; most often an HTTP server
 * (the node's HTTP port given where its binary port belongs), which answers "HTTP/1.1 400 …".
 */
final class FirstBytes extends ChannelInboundHandlerAdapter {
    /** Enough for an HTTP status line. */
    private static final int KEEP = 64;

    private final byte[] seen = new byte[KEEP];
    private volatile int length;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (msg instanceof ByteBuf buf) {
            final int n = Math.min(KEEP - length, buf.readableBytes());
            buf.getBytes(buf.readerIndex(), seen, length, n);
            length += n;
            if (length == KEEP) {
                ctx.pipeline().remove(this);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** True when the peer's first bytes are an HTTP status line. */
    boolean looksLikeHttp() {
        return length >= 5 && new String(seen, 0, 5, StandardCharsets.US_ASCII).equals("HTTP/");
    }

    /** What the peer answered, for an error message. */
    String describe() {
        if (looksLikeHttp()) {
            final String text = new String(seen, 0, length, StandardCharsets.US_ASCII);
            final int eol = text.indexOf('\r') >= 0 ? text.indexOf('\r') : text.indexOf('\n');
            return "it answered like an HTTP server: \"" + (eol >= 0 ? text.substring(0, eol) : text) + "\"";
        }
        return "its answer is not a replog frame (first bytes " + ByteBufUtil.hexDump(seen, 0, Math.min(length, 16))
            + ")";
    }
}
