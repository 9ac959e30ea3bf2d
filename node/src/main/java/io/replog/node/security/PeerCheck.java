package io.replog.node.security;

import io.replog.protocol.AuthChallenge;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.Frame;
import io.replog.protocol.client.ReplogClient;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a peer reached with a client connection to prove the cluster key (AUTH_HELLO, then check its
 * AUTH_CHALLENGE): before a starting master believes what a "secondary" says it holds and copies it into its own
 * log. Only the secondary proves anything here; the master sends no proof of its own, so nothing else changes on
 * that connection.
 */
public final class PeerCheck {
    private PeerCheck() {
    }

    /**
     * @throws SecurityException when the peer does not prove the key (another key, no key, not a replog node)
     */
    public static void requireKey(final ReplogClient client, final ClusterKey key, final long logId)
        throws InterruptedException, ExecutionException, TimeoutException {
        final byte[] nonce = ClusterKey.nonce();
        final Frame answer;
        try {
            answer = client.send(new AuthHello(client.nextRequestId(), logId, nonce)).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof io.replog.protocol.ReplogException refused
                && refused.code() != io.replog.protocol.ReplogException.CONNECTION_LOST) {
                throw new SecurityException("it refused the cluster-key handshake: " + refused.getMessage());
            }
            throw e;
        }
        if (!(answer instanceof AuthChallenge challenge)
            || !key.verify(AuthMac.SECONDARY, logId, nonce, challenge.nonce(), challenge.proof())) {
            throw new SecurityException("it did not prove the cluster key (its key differs from this node's)");
        }
    }
}
