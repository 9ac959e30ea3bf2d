package io.replog.node.consensus;

/** How a replica reaches its peers: fire and forget; a message may be lost, delayed, duplicated or reordered. */
public interface PeerTransport {
    void send(int to, PeerMessage message);
}
