package io.replog.protocol;

/** AUTH_OK: the secondary accepted the master's proof; this connection may now carry REPLICATE and TRUNCATE. */
public record AuthOk(long requestId) implements Frame {
    @Override
    public byte type() {
        return FrameType.AUTH_OK;
    }
}
