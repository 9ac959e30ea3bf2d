package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Netty's {@link LengthFieldBasedFrameDecoder} with the limit applied the way PROTOCOL.md states it: to Frame Length,
 * the bytes after the 4-byte prefix. (The Netty decoder counts the prefix too, so a limit passed to it unchanged
 * would refuse the largest frames a node itself produces: the APPEND_ENTRIES of the largest accepted
 * message.) An
 * oversized frame is refused as soon as its length is read, with an error that names both numbers; Netty still
 * discards its bytes, so a pipeline that keeps the connection stays in step.
 */
public final class FrameLengthDecoder extends LengthFieldBasedFrameDecoder {
    private final int maxFrameLength;

    /** @param maxFrameLength largest Frame Length (bytes after the prefix) accepted */
    public FrameLengthDecoder(final int maxFrameLength) {
        super(maxFrameLength + FrameHeader.LENGTH_FIELD_LENGTH, 0, FrameHeader.LENGTH_FIELD_LENGTH, 0,
            FrameHeader.LENGTH_FIELD_LENGTH, true);
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected Object decode(final ChannelHandlerContext ctx, final ByteBuf in) throws Exception {
        final long frameLength = in.readableBytes() >= FrameHeader.LENGTH_FIELD_LENGTH
            ? in.getUnsignedInt(in.readerIndex()) : -1;
        try {
            return super.decode(ctx, in);
        } catch (TooLongFrameException e) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, 0, "frame of " + frameLength
                + " bytes exceeds the limit of " + maxFrameLength + " bytes (--max-frame-bytes)");
        }
    }
}
