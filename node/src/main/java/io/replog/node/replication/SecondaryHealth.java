package io.replog.node.replication;

/** How the master sees a secondary, from the time since it last answered anything (heartbeat, ACK or error). */
public enum SecondaryHealth {
    /** Answered within the last suspect-after interval. */
    Healthy,
    /** Silent longer than suspect-after: maybe slow, maybe gone. Still counted for the quorum. */
    Suspected,
    /** Silent longer than unhealthy-after, or never seen: not counted for the quorum, retried at the slowest pace. */
    Unhealthy
}
