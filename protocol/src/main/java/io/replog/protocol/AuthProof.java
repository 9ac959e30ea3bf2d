package io.replog.protocol;

/** AUTH_PROOF: the master's proof that it holds the cluster key. Answered by AUTH_OK or ERROR UNAUTHORIZED. */
public record AuthProof(long requestId, byte[] proof) implements Frame {
    /** Body: proof (32 bytes). */
    public static final int BODY_LENGTH = AuthHello.NONCE_BYTES;

    public AuthProof {
        Auth.requireLength(proof, "proof");
    }

    @Override
    public byte type() {
        return FrameType.AUTH_PROOF;
    }
}
