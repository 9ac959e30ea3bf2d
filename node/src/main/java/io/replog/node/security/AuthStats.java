package io.replog.node.security;

import io.replog.node.logging.OncePerSecond;
import org.slf4j.Logger;

import java.util.concurrent.atomic.LongAdder;

/** What a node's replication guard refused, for its /health. Any thread. */
public final class AuthStats {
    private final LongAdder refusedFrames = new LongAdder();
    private final LongAdder failedHandshakes = new LongAdder();
    private final LongAdder authenticated = new LongAdder();
    private final OncePerSecond warnings = new OncePerSecond(System::nanoTime);

    /**
     * Logs {@code line} at WARN at most once per second, with how many were left out since: whoever opens
     * connections to send garbage cannot flood the node's log (the counters keep the full count).
     */
    void warn(final Logger log, final String line) {
        final int count = warnings.occurred();
        if (count > 0) {
            log.warn("{}{}", line, count > 1 ? " (" + (count - 1) + " more like it in the last second, not logged)"
                : "");
        }
    }

    void refusedFrame() {
        refusedFrames.increment();
    }

    void failedHandshake() {
        failedHandshakes.increment();
    }

    void authenticated() {
        authenticated.increment();
    }

    /** Peer frames (APPEND_ENTRIES, TAIL_*, VOTE_*) refused because their connection did not prove the cluster key. */
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
