package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A running three-node cluster as the status parity tests see it, whatever its mode: its master, one of its
 * secondaries that can be stopped and started again, and the master's HTTP documents.
 */
interface StatusHarness extends AutoCloseable {
    /** {@code GET path} on the master's HTTP port, as JSON. */
    JsonNode masterJson(String path);

    /** {@code GET /metrics} on the master. */
    String masterMetrics();

    /** The binary host:port of the secondary {@link #stopSecondary} stops, as its master names it. */
    String secondaryAddress();

    void stopSecondary();

    /** Starts the stopped secondary again on the same ports (its log in memory: it catches up). */
    void restartSecondary();

    @Override
    void close();
}
