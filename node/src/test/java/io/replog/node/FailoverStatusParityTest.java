package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.failover.FailoverNodes;

/** The status parity suite over a failover cluster: three nodes in this process, on loopback. */
class FailoverStatusParityTest extends StatusParityTest {
    @Override
    StatusHarness start() {
        final FailoverNodes nodes = FailoverNodes.start();
        final int master = nodes.awaitMaster(0);
        final int secondary = nodes.secondaryOf(master);
        return new StatusHarness() {
            @Override
            public JsonNode masterJson(final String path) {
                return nodes.json(master, path);
            }

            @Override
            public String masterMetrics() {
                return nodes.get(master, "/metrics").body();
            }

            @Override
            public String secondaryAddress() {
                return "127.0.0.1:" + nodes.port(secondary);
            }

            @Override
            public void stopSecondary() {
                nodes.stop(secondary);
            }

            @Override
            public void restartSecondary() {
                nodes.restart(secondary);
            }

            @Override
            public void close() {
                nodes.close();
            }
        };
    }
}
