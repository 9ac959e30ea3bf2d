package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.config.NodeConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** The status parity suite over a fixed-role cluster: a master and two secondaries in this process, on loopback. */
class FixedStatusParityTest extends StatusParityTest {
    @Override
    StatusHarness start() {
        return new Fixed();
    }

    /** Its secondaries on ports chosen up front, so one can come back where its master dials. */
    private static final class Fixed implements StatusHarness {
        private final int[] ports = new int[2];
        private final int[] httpPorts = new int[2];
        private final ReplogNode[] secondaries = new ReplogNode[2];
        private final ReplogNode master;

        Fixed() {
            for (int i = 0; i < 2; i++) {
                try (ServerSocket probe = new ServerSocket(0); ServerSocket http = new ServerSocket(0)) {
                    ports[i] = probe.getLocalPort();
                    httpPorts[i] = http.getLocalPort();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                startSecondary(i);
            }
            master = ReplogNode.master(timed(new NodeConfig()).port(0).httpPort(0).secondaries(List.of(
                new InetSocketAddress("127.0.0.1", ports[0]), new InetSocketAddress("127.0.0.1", ports[1]))), null);
        }

        /** Heartbeats and health timings short enough that a stopped secondary is Unhealthy within a second. */
        private static NodeConfig timed(final NodeConfig config) {
            return config.bindHost("127.0.0.1").heartbeatMs(100).suspectAfterMs(300).unhealthyAfterMs(600);
        }

        private void startSecondary(final int i) {
            secondaries[i] = ReplogNode.secondary(timed(new NodeConfig()).port(ports[i]).httpPort(httpPorts[i]),
                null);
        }

        @Override
        public JsonNode masterJson(final String path) {
            return ClusterTestSupport.json(master, path);
        }

        @Override
        public String masterMetrics() {
            return ClusterTestSupport.http(master, "GET", "/metrics", null).body();
        }

        @Override
        public String secondaryAddress() {
            return "127.0.0.1:" + ports[1];
        }

        @Override
        public void stopSecondary() {
            secondaries[1].close();
            secondaries[1] = null;
        }

        @Override
        public void restartSecondary() {
            startSecondary(1);
        }

        @Override
        public void close() {
            master.close();
            for (final ReplogNode s : secondaries) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
