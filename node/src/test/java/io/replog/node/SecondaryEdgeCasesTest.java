package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A secondary spoken to directly over the protocol (APPEND_ENTRIES), as a master (or an impostor) would. */
class SecondaryEdgeCasesTest {
    @Test
    void aDelayedAppendEntriesWhoseConnectionClosedIsNeverApplied() throws Exception {
        try (EventLoops loops = new EventLoops(2, "edge")) {
            final ReplogNode secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0)
                .httpPort(0).delayMs(300), loops);
            try {
                try (HandFedMaster gone = new HandFedMaster(secondary)) {
                    gone.send(0xAAAL, 0, "of the old master");
                    // received (an empty log takes on the log its first frame names) and held for the delay; its
                    // sender goes away before the delay has passed
                    Await.until("the old master's frame is received", () -> secondary.log().logId() == 0xAAAL);
                }
                try (HandFedMaster current = new HandFedMaster(secondary)) {
                    final HandFedMaster.Reply reply = current.append(0xBBBL, 0, "of the current master");
                    assertTrue(reply.accepted(), String.valueOf(reply));
                    assertEquals(1, reply.acceptedId());
                }
                assertEquals(0xBBBL, secondary.log().logId(), "the secondary follows the log of the live connection");
                Await.until("the secondary serves it", () -> !ClusterTestSupport.texts(secondary).isEmpty());
                assertEquals(List.of("of the current master"), ClusterTestSupport.texts(secondary));
                // well past the first frame's delay: it was dropped, not applied late
                Await.until("the first frame's timer has fired", () -> secondary.role().health()
                    .get("master_last_seen_ms_ago") instanceof Long seen && seen >= 600);
                assertEquals(List.of("of the current master"), ClusterTestSupport.texts(secondary));
            } finally {
                secondary.close();
            }
        }
    }

    @Test
    void delayedAppendEntriesWithTheSameBytesAreEachAppliedAndAnswered() throws Exception {
        try (EventLoops loops = new EventLoops(2, "edge")) {
            final ReplogNode secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0)
                .httpPort(0).delayMs(200), loops);
            try (HandFedMaster master = new HandFedMaster(secondary)) {
                // equal entries at different msg_ids: two requests, not one, each answered in order
                master.send(0xCCCL, 0, "same");
                master.send(0xCCCL, 1, "same");
                assertEquals(1, master.read().acceptedId());
                assertEquals(2, master.read().acceptedId());
                Await.until("the secondary serves both", () -> ClusterTestSupport.texts(secondary).size() >= 2);
                assertEquals(List.of("same", "same"), ClusterTestSupport.texts(secondary));
            } finally {
                secondary.close();
            }
        }
    }

    @Test
    void aReadPastTheEndReportsTheNodesLastIdNotTheOneAskedFor() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1));
             ReplogClient client = ClusterTestSupport.client(cluster.master())) {
            client.append("one", 1).get(10, TimeUnit.SECONDS);
            client.append("two", 1).get(10, TimeUnit.SECONDS);
            final ReadOk past = (ReadOk) client.send(new Read(client.nextRequestId(), 10, 5)).get(10, TimeUnit.SECONDS);
            try {
                assertEquals(0, past.count());
                assertEquals(10, past.firstId());
                assertEquals(2, past.lastId(), "the node holds 1..2");
            } finally {
                past.release();
            }
        }
    }
}
