package io.replog.node.security;

import java.util.concurrent.atomic.LongAdder;

/** What a node's replication guard refused, for its /health. Any thread. */
public final class AuthStats {
    private final LongAdder refusedFrames = new LongAdder();
    private final LongAdder failedHandshakes = new LongAdder();
    private final LongAdder authenticated = new LongAdder();

    void refusedFrame() {
        refusedFrames.increment();
    }

    void failedHandshake() {
        failedHandshakes.increment();
    }

    void authenticated() {
        authenticated.increment();
    }

    /** REPLICATE and TRUNCATE frames refused because their connection did not prove the cluster key. */
    public long refusedFrames() {
        return refusedFrames.sum();
    }

    /** Handshakes that failed: a wrong proof, frames out of order, or a HELLO to a node without a key. */
    public long failedHandshakes() {
        return failedHandshakes.sum();
    }

    /** Connections that proved the key. */
    public long authenticatedConnections() {
        return authenticated.sum();
    }
}
