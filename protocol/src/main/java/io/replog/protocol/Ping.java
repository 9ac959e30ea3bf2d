package io.replog.protocol;

/** PING: a no-op request with an empty body, answered by PONG on the event loop. */
public record Ping(long requestId) implements Frame {
    @Override
    public byte type() {
        return FrameType.PING;
    }
}
