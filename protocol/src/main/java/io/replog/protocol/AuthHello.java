package io.replog.protocol;

/**
 * AUTH_HELLO: a master opens the cluster-key handshake on a replication connection, naming its log and sending a
 * fresh random nonce. The secondary answers AUTH_CHALLENGE (or ERROR UNAUTHORIZED when it has no key).
 */
public record AuthHello(long requestId, long logId, byte[] nonce) implements Frame {
    /** Bytes of every nonce and proof. */
    public static final int NONCE_BYTES = 32;
    /** Body: log_id (i64), nonce (32 bytes). */
    public static final int BODY_LENGTH = 8 + NONCE_BYTES;

    public AuthHello {
        Auth.requireLength(nonce, "nonce");
    }

    @Override
    public byte type() {
        return FrameType.AUTH_HELLO;
    }
}
