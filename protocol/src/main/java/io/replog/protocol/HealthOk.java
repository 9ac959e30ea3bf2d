package io.replog.protocol;

/** HEALTH_OK: the node's health report as UTF-8 JSON, the same document {@code GET /health} returns. */
public record HealthOk(long requestId, String json) implements Frame {
    @Override
    public byte type() {
        return FrameType.HEALTH_OK;
    }
}
