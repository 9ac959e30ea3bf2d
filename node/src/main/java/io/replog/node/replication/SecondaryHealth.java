package io.replog.node.replication;

/**
 * How the master sees a secondary. Only Healthy and Suspected secondaries count toward the quorum: one that is
 * silent, or that answers but refuses what it is sent, does not hold the master's writes.
 */
public enum SecondaryHealth {
    /** Answered within the last suspect-after interval, and takes what it is sent. */
    Healthy,
    /** Silent longer than suspect-after: maybe slow, maybe gone. Still counted for the quorum. */
    Suspected,
    /** Silent longer than unhealthy-after, or never seen: not counted, retried at the slowest pace. */
    Unhealthy,
    /**
     * Answers, but every delivery for unhealthy-after failed (an error answer, a refused frame, a connection cut
     * while requests were in flight): e.g. its log is full, or its frame limit is smaller than the master's.
     */
    Failing,
    /** Holds another log and refuses this one (LOG_MISMATCH): it needs an operator. */
    Diverged,
    /**
     * Did not prove the cluster key (another key, or none while the master has one), or refuses the master for lack
     * of one: never fed nor counted; it needs an operator.
     */
    Unauthorized;

    /** True for the states that count toward the quorum. */
    public boolean isUp() {
        return this == Healthy || this == Suspected;
    }
}
