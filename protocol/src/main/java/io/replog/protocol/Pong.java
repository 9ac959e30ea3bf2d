package io.replog.protocol;

/** PONG: the answer to PING. */
public record Pong(long requestId) implements Frame {
    @Override
    public byte type() {
        return FrameType.PONG;
    }
}
