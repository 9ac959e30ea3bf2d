package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.client.ReplogClient;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every w=3 append is answered by the reply that makes it durable, not by a later heartbeat: with heartbeats a
 * minute apart, an append whose reply slipped past the write-concern count would hang for a minute. Many
 * appends one at a time give the race many chances.
 */
class NoLostAckTest {
    @Test
    void eachBlockingW3AppendIsAnsweredByItsOwnAck() throws Exception {
        try (EventLoops loops = new EventLoops(2, "lost-ack")) {
            final ReplogNode s1 = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0),
                loops);
            final ReplogNode s2 = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0),
                loops);
            final ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
                .secondaries(List.of(new InetSocketAddress("127.0.0.1", s1.port()),
                    new InetSocketAddress("127.0.0.1", s2.port())))
                .quorum(1).heartbeatMs(60_000).suspectAfterMs(60_000).unhealthyAfterMs(120_000)
                .replicationTimeoutMs(120_000), loops);
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
                final byte[] payload = new byte[16];
                for (int i = 1; i <= 10_000; i++) {
                    assertEquals(i, client.append(payload, 3, 0).get(10, TimeUnit.SECONDS));
                }
            } finally {
                master.close();
                s1.close();
                s2.close();
            }
        }
    }
}
