package io.replog.protocol;

/** AUTH_OK: the secondary accepted the master's proof; this connection may now carry the peer frames
 * (APPEND_ENTRIES, TAIL_REQUEST, …). */
public record AuthOk(long requestId) implements Frame {
    @Override
    public byte type() {
        return FrameType.AUTH_OK;
    }
}
