package io.replog.protocol;

import io.netty.channel.ChannelPipeline;

/** Installs the replog frame codec at the head of a pipeline. */
public final class ProtocolPipeline {
    /** Handler names, so that tests and tools can find them. */
    public static final String FRAMER = "framer";
    public static final String DECODER = "frame-decoder";
    public static final String ENCODER = "frame-encoder";

    private ProtocolPipeline() {
    }

    /**
     * Adds framing ({@link FrameLengthDecoder}: Frame Length at most {@code maxFrameLength}, an oversized frame
     * reported as soon as its length is read), the frame decoder and the frame encoder.
     */
    public static void addCodec(final ChannelPipeline pipeline, final int maxFrameLength) {
        pipeline.addLast(FRAMER, new FrameLengthDecoder(maxFrameLength));
        pipeline.addLast(DECODER, FrameDecoder.INSTANCE);
        pipeline.addLast(ENCODER, FrameEncoder.INSTANCE);
    }
}
