package io.replog.node.consensus;

/**
 * Timing and bounds of a replica. A node that hears no master for a random time in
 * [{@code electionMinMs}, {@code electionMaxMs}) starts an election; a master sends each peer something at least
 * every {@code heartbeatMs}, and steps down when it has heard from no majority for {@code electionMaxMs}. Under a
 * static leader nobody campaigns and the two are only the silences after which a peer is Suspected, Unhealthy; so the
 * heartbeat need only come within the shorter ({@link #requireElectable} adds the rule elections need).
 */
public record ReplicaSettings(long electionMinMs, long electionMaxMs, long heartbeatMs, int maxBatch,
                              int maxPendingAppends, long maxBatchBytes) {

    /** With batches of at most 1 MiB. */
    public ReplicaSettings(final long electionMinMs, final long electionMaxMs, final long heartbeatMs,
                           final int maxBatch, final int maxPendingAppends) {
        this(electionMinMs, electionMaxMs, heartbeatMs, maxBatch, maxPendingAppends, 1 << 20);
    }

    /** The same with batches of at most {@code bytes} (the receivers' frame limit). */
    public ReplicaSettings withMaxBatchBytes(final long bytes) {
        return new ReplicaSettings(electionMinMs, electionMaxMs, heartbeatMs, maxBatch, maxPendingAppends, bytes);
    }

    public ReplicaSettings {
        if (electionMinMs <= 0 || electionMaxMs <= electionMinMs) {
            throw new IllegalArgumentException("election timeout: need 0 < min < max, got " + electionMinMs + ".."
                + electionMaxMs + " ms");
        }
        if (heartbeatMs <= 0 || heartbeatMs > electionMinMs) {
            throw new IllegalArgumentException("heartbeat " + heartbeatMs + " ms must be positive and at most the "
                + "shortest silence before a peer is suspected (" + electionMinMs + " ms)");
        }
        if (maxBatch < 1 || maxPendingAppends < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxBatch and maxPendingAppends must be positive");
        }
    }

    /**
     * Where nodes elect their master: a heartbeat at most half the shortest election timeout, so that one late
     * heartbeat does not start an election.
     */
    public void requireElectable() {
        if (heartbeatMs * 2 > electionMinMs) {
            throw new IllegalArgumentException("heartbeat " + heartbeatMs + " ms must be positive and at most half "
                + "the shortest election timeout (" + electionMinMs + " ms)");
        }
    }

    public static ReplicaSettings defaults() {
        return new ReplicaSettings(150, 300, 50, 1024, 100_000);
    }
}
