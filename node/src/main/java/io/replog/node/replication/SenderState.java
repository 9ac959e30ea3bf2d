package io.replog.node.replication;

/** Where the connection to a secondary is (its health, including a refused log, is {@link SecondaryHealth}). */
public enum SenderState {
    /** Opening a connection, or waiting to retry one. */
    CONNECTING,
    /** Connected and asking the secondary for its position. */
    PROBING,
    /** Shipping entries from the secondary's acknowledged position on. */
    STREAMING,
    /** Closed for good. */
    CLOSED
}
