package io.replog.protocol;

/**
 * AUTH_CHALLENGE: the secondary's answer to AUTH_HELLO: its own fresh nonce, and its proof that it holds the
 * cluster key (an HMAC over both nonces, the log and its role), which the master checks before it proves anything.
 */
public record AuthChallenge(long requestId, byte[] nonce, byte[] proof) implements Frame {
    /** Body: nonce (32 bytes), proof (32 bytes). */
    public static final int BODY_LENGTH = 2 * AuthHello.NONCE_BYTES;

    public AuthChallenge {
        Auth.requireLength(nonce, "nonce");
        Auth.requireLength(proof, "proof");
    }

    @Override
    public byte type() {
        return FrameType.AUTH_CHALLENGE;
    }
}
