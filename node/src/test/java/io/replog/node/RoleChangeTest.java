package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.PeerStatus;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A node is its log plus a role that can change at runtime: two nodes swap roles without a restart (roles are read
 * from the status).
 */
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
                Await.until("b writable", () -> !b.role().status().readOnly());
                for (int i = 1; i <= 10; i++) {
                    assertEquals(i, toB.append(("m" + i).getBytes(), 2, 0).get(10, TimeUnit.SECONDS));
                }
                final long logId = b.log().logId();

                b.becomeSecondary(config());
                a.becomeMaster(config().secondaries(List.of(address(b))));
                assertEquals("secondary", b.role().status().role());
                assertEquals("master", a.role().status().role());
                assertEquals(logId, a.log().logId(), "the new master keeps the log's identity");
                Await.until("a writable", () -> !a.role().status().readOnly());

                // the connections made before the change talk to the new roles
                assertEquals(11, toA.append("after the change".getBytes(), 2, 0).get(10, TimeUnit.SECONDS),
                    "msg_ids continue");
                final ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> toB.append("to the old master".getBytes(), 1, 0).get(10, TimeUnit.SECONDS));
                assertEquals(ErrorCode.NOT_MASTER,
                    assertInstanceOf(ReplogException.class, refused.getCause()).code());
                Await.until("the old master serves the new one's message", () -> texts(b).size() == 11);
                final List<Message> onB = toB.readAll();
                assertEquals("after the change", onB.get(10).text(), "the old master follows the new one");
                assertEquals(logId, b.log().logId(), "no LOG_MISMATCH: one log");
                // the exact state of the one secondary, not "Healthy" anywhere in the whole report
                Await.until("the new master counts the old one as a Healthy secondary",
                    () -> "Healthy".equals(stateOfTheOnlySecondary(a)));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void anAppendWaitingForItsWriteConcernIsToldTheNodeIsNoLongerTheMaster() throws Exception {
        try (EventLoops loops = new EventLoops(2, "roles")) {
            final ReplogNode a = ReplogNode.secondary(config(), loops);
            // a quorum of 1: the master stays writable without its secondary, and a w=2 append waits for it
            final ReplogNode b = ReplogNode.master(config().quorum(1).secondaries(List.of(address(a))), loops);
            try (ReplogClient toB = ReplogClient.connect("127.0.0.1", b.port())) {
                Await.until("b writable", () -> !b.role().status().readOnly());
                assertEquals(1, toB.append("both".getBytes(), 2, 0).get(10, TimeUnit.SECONDS));
                a.close();
                final CompletableFuture<Long> waiting = toB.append("waits for a gone secondary".getBytes(), 2, 0);
                Await.until("the append waits for its w", () -> b.role().status().waitingAppends() == 1);
                assertFalse(waiting.isDone());

                b.becomeSecondary(config());
                final ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> waiting.get(10, TimeUnit.SECONDS));
                final ReplogException error = assertInstanceOf(ReplogException.class, refused.getCause());
                assertEquals(ErrorCode.NOT_MASTER, error.code(), error.getMessage());
                assertEquals("secondary", b.role().status().role());
            } finally {
                b.close();
            }
        }
    }

    /** The state the master shows for its one secondary, or its whole status if it shows not exactly one. */
    private static String stateOfTheOnlySecondary(final ReplogNode master) {
        final NodeStatus status = master.role().status();
        final List<PeerStatus> peers = status.peers();
        return peers.size() == 1 ? peers.get(0).state().name() : String.valueOf(status);
    }

    private static InetSocketAddress address(final ReplogNode node) {
        return new InetSocketAddress("127.0.0.1", node.port());
    }
}
