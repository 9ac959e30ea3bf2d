package io.replog.node.cluster;

import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.status.PeerState;
import io.replog.protocol.ErrorCode;

/**
 * A failover node's judgement of one peer. Silence makes a peer Suspected then Unhealthy, as an election would judge
 * it: heard from within the shortest election timeout is Healthy, silent up to the longest Suspected, past it (a
 * master would step down) or without a link Unhealthy. A peer that refused this node's cluster key is Unauthorized;
 * one that answered with an error within the longest election timeout is Failing, checked before silence: a peer
 * that only refuses is silent to the replica. Diverged: the peer holds another log (it refused with LOG_MISMATCH:
 * a fixed secondary that follows another master's log until its data directory is deleted); a conflicting tail of
 * the same log is not divergence, the engine cuts it itself (the log matching rule).
 *
 * @param reason why it is not Healthy; null when it is
 */
record PeerHealth(PeerState state, String reason) {
    private static final PeerHealth HEALTHY = new PeerHealth(PeerState.Healthy, null);

    /**
     * @param unauthorized  why its handshake refused this node's key, or null
     * @param refused       the last error it answered with since its link came up, or null
     * @param refusedMsAgo  how long ago that was
     * @param silentMs      how long the replica has not heard from it; -1 when it does not track it
     * @param isMaster      whether it is the master this node knows (its silence is worded so)
     * @param bySilence     judge a peer without a link by its silence too (fixed roles: a secondary whose connection
     *                      closed is Suspected, then Unhealthy, as its silence grows); else no link is Unhealthy at once
     */
    static PeerHealth of(final String unauthorized, final boolean connected, final PeerLinks.Refusal refused,
                         final long refusedMsAgo, final long silentMs, final boolean isMaster,
                         final ReplicaSettings settings, final boolean bySilence) {
        if (unauthorized != null) {
            return new PeerHealth(PeerState.Unauthorized, "not authenticated: " + unauthorized);
        }
        if (!connected && (!bySilence || silentMs < 0)) {
            return new PeerHealth(PeerState.Unhealthy, "no link to it (reconnecting)");
        }
        if (refused != null && refusedMsAgo < settings.electionMaxMs() && refused.code() == ErrorCode.UNAUTHORIZED) {
            // a peer that requires a key (or a certificate) this node does not present refuses its frames
            return new PeerHealth(PeerState.Unauthorized, "not authenticated: " + refused.why());
        }
        if (refused != null && refusedMsAgo < settings.electionMaxMs() && refused.code() == ErrorCode.LOG_MISMATCH) {
            return new PeerHealth(PeerState.Diverged, "refuses this log: " + refused.why());
        }
        if (refused != null && refusedMsAgo < settings.electionMaxMs()) {
            return new PeerHealth(PeerState.Failing, "refused a message " + refusedMsAgo + " ms ago: "
                + ErrorCode.name(refused.code()) + ": " + refused.why());
        }
        final String silence = (isMaster ? "no contact from the master for " : "no answer for ") + silentMs + " ms";
        if (silentMs >= settings.electionMaxMs()) {
            return new PeerHealth(PeerState.Unhealthy, silence);
        }
        return silentMs >= settings.electionMinMs() ? new PeerHealth(PeerState.Suspected, silence) : HEALTHY;
    }
}
