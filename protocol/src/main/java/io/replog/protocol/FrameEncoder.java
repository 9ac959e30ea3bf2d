package io.replog.protocol;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Encodes {@link Frame}s. Pre-encoded {@link io.netty.buffer.ByteBuf}s (many frames written at once by a hot path
 * through the {@code FrameCodec.write*} methods) pass through untouched. Stateless, so shared.
 */
@Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final Frame frame, final List<Object> out) {
        // MessageToMessageEncoder releases the frame after this returns; large payloads were retained above.
        FrameCodec.encode(frame, ctx.alloc(), out);
    }
}
