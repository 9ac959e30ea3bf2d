package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.master.Master;
import io.replog.node.secondary.Secondary;
import io.replog.node.server.EventLoops;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A node is its log plus a role that can change at runtime: two nodes swap roles without a restart. */
class RoleChangeTest {
    private static NodeConfig config() {
        return new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).heartbeatMs(50).suspectAfterMs(300)
            .unhealthyAfterMs(600).retryCapMs(100);
    }

    @Test
    void aSecondaryBecomesMasterOfTheSameLogAndTheOldMasterFollowsIt() throws Exception {
        try (EventLoops loops = new EventLoops(2, "roles")) {
            final ReplogNode a = ReplogNode.secondary(config(), loops);
            final ReplogNode b = ReplogNode.master(config().secondaries(List.of(address(a))), loops);
            try (ReplogClient toA = ReplogClient.connect("127.0.0.1", a.port());
                 ReplogClient toB = ReplogClient.connect("127.0.0.1", b.port())) {
                Await.until("b writable", () -> !((Master) b.role()).quorumMonitor().readOnly());
                for (int i = 1; i <= 10; i++) {
                    assertEquals(i, toB.append(("m" + i).getBytes(), 2, 0).get(10, TimeUnit.SECONDS));
                }
                final long logId = b.log().logId();

                b.becomeSecondary(config());
                a.becomeMaster(config().secondaries(List.of(address(b))));
                assertInstanceOf(Secondary.class, b.role());
                assertInstanceOf(Master.class, a.role());
                assertEquals(logId, a.log().logId(), "the new master keeps the log's identity");
                Await.until("a writable", () -> !((Master) a.role()).quorumMonitor().readOnly());

                // the connections made before the change talk to the new roles
                assertEquals(11, toA.append("after the change".getBytes(), 2, 0).get(10, TimeUnit.SECONDS),
                    "msg_ids continue");
                final ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> toB.append("to the old master".getBytes(), 1, 0).get(10, TimeUnit.SECONDS));
                assertEquals(ErrorCode.NOT_MASTER,
                    assertInstanceOf(ReplogException.class, refused.getCause()).code());
                final List<Message> onB = toB.readAll();
                assertEquals(11, onB.size(), "the old master follows the new one, no LOG_MISMATCH");
                assertEquals("after the change", onB.get(10).text());
                // the exact state of the one secondary, not "Healthy" anywhere in the whole report
                Await.until("the new master counts the old one as a Healthy secondary",
                    () -> "Healthy".equals(statusOfTheOnlySecondary(a)));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    /** The status the master reports for its one secondary, or what it reports instead if not exactly one. */
    private static String statusOfTheOnlySecondary(final ReplogNode master) {
        final Map<String, Object> health = master.role().health();
        return health.get("peers") instanceof List<?> secondaries && secondaries.size() == 1
            && secondaries.get(0) instanceof Map<?, ?> secondary ? String.valueOf(secondary.get("status"))
            : String.valueOf(health);
    }

    private static InetSocketAddress address(final ReplogNode node) {
        return new InetSocketAddress("127.0.0.1", node.port());
    }
}
