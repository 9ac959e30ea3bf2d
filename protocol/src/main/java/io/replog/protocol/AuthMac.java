package io.replog.protocol;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The proofs of the cluster-key handshake (PROTOCOL.md, Authentication):
 * {@code HMAC-SHA256(key, "replog-auth-1" 0x00 role 0x00 log_id nonce_m nonce_s)}. The role in the MAC keeps one
 * side's proof from ever passing as the other's.
 */
public final class AuthMac {
    /** Role of the side that sends AUTH_PROOF. */
    public static final String MASTER = "master";
    /** Role of the side that sends AUTH_CHALLENGE. */
    public static final String SECONDARY = "secondary";
    private static final byte[] LABEL = "replog-auth-1".getBytes(StandardCharsets.US_ASCII);

    private AuthMac() {
    }

    /** The proof {@code role} sends for this handshake. */
    public static byte[] proof(final byte[] key, final String role, final long logId, final byte[] nonceMaster,
                               final byte[] nonceSecondary) {
        final byte[] roleBytes = role.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer input = ByteBuffer.allocate(LABEL.length + 1 + roleBytes.length + 1 + 8
            + nonceMaster.length + nonceSecondary.length);
        input.put(LABEL).put((byte) 0).put(roleBytes).put((byte) 0).putLong(logId).put(nonceMaster)
            .put(nonceSecondary);
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(input.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Whether {@code proof} is the one {@code role} must send; compared in constant time. */
    public static boolean verify(final byte[] key, final String role, final long logId, final byte[] nonceMaster,
                                 final byte[] nonceSecondary, final byte[] proof) {
        return MessageDigest.isEqual(proof(key, role, logId, nonceMaster, nonceSecondary), proof);
    }
}
