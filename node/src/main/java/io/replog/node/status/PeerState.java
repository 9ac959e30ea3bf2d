package io.replog.node.status;

/**
 * How a node sees one of its peers, in both modes. Only Healthy and Suspected peers count toward a quorum: one that
 * is silent, or that answers but refuses what it is sent, does not hold this node's writes.
 */
public enum PeerState {
    /** Heard from recently, and takes what it is sent. */
    Healthy,
    /** Silent longer than it should be: maybe slow, maybe gone. Still counted. */
    Suspected,
    /** Silent for too long, never heard from, or not connected. */
    Unhealthy,
    /** Answers, but refuses what it is sent (errors): e.g. its log is full or its disk failed. */
    Failing,
    /** Its log cannot be matched with this node's (it holds another log): it needs an operator. */
    Diverged,
    /** The cluster-key (or TLS) handshake with it failed: never fed nor counted; it needs an operator. */
    Unauthorized;

    /** True for the states that count toward a quorum. */
    public boolean isUp() {
        return this == Healthy || this == Suspected;
    }
}
