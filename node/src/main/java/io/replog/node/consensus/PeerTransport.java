package io.replog.node.consensus;

/** How a replica reaches its peers: fire and forget; a message may be lost, delayed, duplicated or reordered. */
public interface PeerTransport {
    void send(int to, PeerMessage message);

    /**
     * Whether {@code peer} answered what this node sent it with an error (its log is full, a frame too large for it,
     * another log) within the last {@code withinNanos}: it may answer heartbeats, but it holds none of this node's
     * writes. False when the transport does not know.
     */
    default boolean refusing(final int peer, final long withinNanos) {
        return false;
    }
}
