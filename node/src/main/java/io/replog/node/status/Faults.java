package io.replog.node.status;

/**
 * The fault injection a node is configured with, and what it has injected so far: whatever the node's settings
 * hold is shown, so an operator sees at once that a node is slowed down or failing on purpose.
 *
 * @param delayMs           each replication request is held this long before it is stored
 * @param failRate          share of replication requests refused on purpose (nothing stored)
 * @param dropRate          share of replication requests ignored on purpose (unanswered)
 * @param injectedFailures  injected refusals so far
 * @param injectedDrops     injected drops so far
 */
public record Faults(long delayMs, double failRate, double dropRate, long injectedFailures, long injectedDrops) {
    /** No fault injection. */
    public static final Faults NONE = new Faults(0, 0, 0, 0, 0);

    /** Whether any fault is injected. */
    public boolean any() {
        return delayMs > 0 || failRate > 0 || dropRate > 0;
    }
}
