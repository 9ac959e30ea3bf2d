package io.replog.node.failover;

import io.replog.node.consensus.ReplicaSettings;

/**
 * One peer of a failover node as that node sees it, as of its replica's last tick: its addresses, whether this
 * node's link to it is up, and, for the master's peers and for the master of a secondary, when it was last heard
 * from. Only a master knows where a peer's log is ({@code durableId}, {@code acceptedId}); elsewhere they are -1.
 *
 * @param durableId        highest msg_id the peer holds durably as the master does (what counts toward w), or -1
 * @param acceptedId       highest msg_id the peer said it holds as the master does (it may not be durable yet), or -1
 * @param lastAnswerMsAgo  how long since it last answered (a master's peers) or sent (a secondary's master), or -1
 */
public record PeerStatus(int id, String address, String http, boolean isMaster, boolean connected, long durableId,
                         long acceptedId, long lastAnswerMsAgo) {
    public static final String HEALTHY = "Healthy";
    public static final String SUSPECTED = "Suspected";
    public static final String UNHEALTHY = "Unhealthy";

    /**
     * Healthy, Suspected or Unhealthy, in the words a fixed-role master uses for its secondaries. A peer heard from
     * within the shortest election timeout is Healthy (a follower that silent would start an election); silent up to
     * the longest it is Suspected, and past it (a master would step down), or without a link, Unhealthy.
     */
    public String status(final ReplicaSettings settings) {
        if (!connected || lastAnswerMsAgo >= settings.electionMaxMs()) {
            return UNHEALTHY;
        }
        return lastAnswerMsAgo >= settings.electionMinMs() ? SUSPECTED : HEALTHY;
    }

    /** Why it is not Healthy, or null when it is. */
    public String reason(final ReplicaSettings settings) {
        if (!connected) {
            return "no link to it (reconnecting)";
        }
        return status(settings).equals(HEALTHY) ? null : (isMaster ? "no word from the master for "
            : "no answer for ") + lastAnswerMsAgo + " ms";
    }

    /** Messages this node holds that the peer does not hold durably; -1 when unknown (this node is not master). */
    public long lag(final long lastId) {
        return durableId < 0 ? -1 : Math.max(0, lastId - durableId);
    }
}
