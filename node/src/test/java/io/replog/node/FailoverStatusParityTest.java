package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.cluster.FailoverNodes;
import io.replog.testing.Await;

/** The status parity suite over a failover cluster: three nodes in this process, on loopback. */
class FailoverStatusParityTest extends StatusParityTest {
    @Override
    StatusHarness start() {
        final FailoverNodes nodes = FailoverNodes.start();
        final int master = nodes.awaitMaster(0);
        final int secondary = nodes.secondaryOf(master);
        // a new master publishes where its peers are at its next tick (10 ms): until then their positions are unknown
        Await.until("the master knows where each peer is", () -> {
            for (final JsonNode peer : nodes.json(master, "/health").path("peers")) {
                if (!peer.path("acked").isNumber()) {
                    return false;
                }
            }
            return true;
        });
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
