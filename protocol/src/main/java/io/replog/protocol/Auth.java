package io.replog.protocol;

/** Checks shared by the handshake frames. */
final class Auth {
    private Auth() {
    }

    static void requireLength(final byte[] value, final String what) {
        if (value == null || value.length != AuthHello.NONCE_BYTES) {
            throw new IllegalArgumentException(what + " must be " + AuthHello.NONCE_BYTES + " bytes");
        }
    }
}
