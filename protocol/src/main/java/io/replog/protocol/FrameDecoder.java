package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Turns one length-stripped frame (from {@link io.netty.handler.codec.LengthFieldBasedFrameDecoder}) into a
 * {@link Frame}. The input buffer is released by the base class; payload frames hold retained slices of it.
 */
@Sharable
public final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    public static final FrameDecoder INSTANCE = new FrameDecoder();

    private FrameDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf frame, final List<Object> out) {
        out.add(FrameCodec.decode(frame));
    }
}
