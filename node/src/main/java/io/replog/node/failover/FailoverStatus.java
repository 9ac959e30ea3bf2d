package io.replog.node.failover;

import java.util.List;

/**
 * What a failover node's monitoring (metrics) reads of it without asking its replica's thread: every value was
 * published by that thread at its last tick (every {@link ReplicaDriver#TICK_MS} ms) or at the last role change.
 * {@code /health} reports the same values, and {@code /cluster} (the live page) reads them from there.
 */
public interface FailoverStatus {
    /** This node's id. */
    int nodeId();

    long epoch();

    /** Whether this node is the master now. */
    boolean isMaster();

    /** The master this node knows, or 0 when it knows none (an election may be under way). */
    int masterId();

    /** Highest msg_id this node knows to be committed (on a majority durably). */
    long commitId();

    /** Appends waiting for their w (a master's). */
    int waitingAppends();

    /** The other nodes, by id. */
    List<PeerStatus> peerStatuses();

    /**
     * As master, the highest msg_id held durably by at least {@code w} nodes (this one's log and what each peer
     * reported), as a fixed-role master reports per w; -1 on a node that is not master.
     */
    long heldBy(int w);

    /** The number of nodes in the cluster. */
    int clusterSize();
}
