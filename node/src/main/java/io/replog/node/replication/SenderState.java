package io.replog.node.replication;

/** Where a {@link SecondarySender} is with its secondary. */
public enum SenderState {
    /** Opening a connection, or waiting to retry one. */
    CONNECTING,
    /** Connected and asking the secondary for its position. */
    PROBING,
    /** Shipping entries from the secondary's acknowledged position on. */
    STREAMING,
    /** The secondary holds more than the master: it belongs to another log (e.g. the master restarted empty). */
    DIVERGED,
    /** Closed for good. */
    CLOSED
}
