package io.replog.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/** Installs the replog frame codec at the head of a pipeline. */
public final class ProtocolPipeline {
    /** Handler names, so that tests and tools can find them. */
    public static final String FRAMER = "framer";
    public static final String DECODER = "frame-decoder";
    public static final String ENCODER = "frame-encoder";

    private ProtocolPipeline() {
    }

    /**
     * Adds framing ({@code LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4)}, fail-fast so an oversized frame is
     * reported as soon as its length is read), the frame decoder and the frame encoder.
     */
    public static void addCodec(final ChannelPipeline pipeline, final int maxFrameLength) {
        pipeline.addLast(FRAMER, new LengthFieldBasedFrameDecoder(maxFrameLength, 0,
            FrameHeader.LENGTH_FIELD_LENGTH, 0, FrameHeader.LENGTH_FIELD_LENGTH, true));
        pipeline.addLast(DECODER, FrameDecoder.INSTANCE);
        pipeline.addLast(ENCODER, FrameEncoder.INSTANCE);
    }
}
