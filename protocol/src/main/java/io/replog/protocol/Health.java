package io.replog.protocol;

/** HEALTH: ask a node for its health report (what {@code GET /health} shows). Empty body. */
public record Health(long requestId) implements Frame {
    @Override
    public byte type() {
        return FrameType.HEALTH;
    }
}
