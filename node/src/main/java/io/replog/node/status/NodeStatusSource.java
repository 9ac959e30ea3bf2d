package io.replog.node.status;

/**
 * Whatever can say how a node is: the fixed master, the fixed secondary and the failover role each produce one
 * {@link NodeStatus}, and {@code /health}, {@code /cluster}, {@code /metrics} and the HEALTH frame are rendered from
 * it alone. Called on event loops and the metrics thread: it only reads what the node publishes anyway (volatile
 * fields, counters), never blocks.
 */
public interface NodeStatusSource {
    NodeStatus status();
}
