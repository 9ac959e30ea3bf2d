package io.replog.node.status;

/**
 * The fault injection a node is configured with, and what it has injected so far: whatever the node's settings
 * hold is shown, so an operator sees at once that a node is slowed down or failing on purpose.
 *
 * @param delayMs           each replication request is held this long before it is stored
 * @param failRate          share of replication requests answered with an injected error (after storing)
 * @param dropRate          share of replication requests on which the connection is dropped
 * @param injectedFailures  injected errors so far
 * @param injectedDrops     injected connection drops so far
 */
public record Faults(long delayMs, double failRate, double dropRate, long injectedFailures, long injectedDrops) {
    /** No fault injection. */
    public static final Faults NONE = new Faults(0, 0, 0, 0, 0);

    /** Whether any fault is injected. */
    public boolean any() {
        return delayMs > 0 || failRate > 0 || dropRate > 0;
    }
}
