package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.Ack;
import io.replog.protocol.EntryRun;
import io.replog.protocol.Frame;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.protocol.Replicate;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A secondary spoken to directly over the protocol, as a master (or an impostor) would: APPEND_ENTRIES on the engine,
 * REPLICATE on the fixed-role stack ({@code *OverReplicate}: deleted with that frame).
 */
class SecondaryEdgeCasesTest {
    @Test
    void aDelayedAppendEntriesWhoseConnectionClosedIsNeverApplied() throws Exception {
        assumeTrue(ReplogNode.FIXED_ON_ENGINE, "APPEND_ENTRIES reaches a secondary on the engine only");
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
        assumeTrue(ReplogNode.FIXED_ON_ENGINE, "APPEND_ENTRIES reaches a secondary on the engine only");
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

    private static Replicate replicate(final long logId, final long firstId, final String... messages) {
        final ByteBuf run = Unpooled.buffer();
        for (final String m : messages) {
            EntryRun.writeEntry(run, m.getBytes(StandardCharsets.UTF_8));
        }
        return new Replicate(firstId, logId, firstId, messages.length, 1, run);
    }

    @Test
    void aDelayedReplicateWhoseConnectionClosedIsNeverAppliedOverReplicate() throws Exception {
        assumeFalse(ReplogNode.FIXED_ON_ENGINE, "REPLICATE is the fixed-role stack's frame");
        try (EventLoops loops = new EventLoops(2, "edge")) {
            final ReplogNode secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0)
                .httpPort(0).delayMs(300), loops);
            try {
                try (ReplogClient gone = ReplogClient.connect("127.0.0.1", secondary.port())) {
                    gone.send(replicate(0xAAAL, 1, "of the old master"));
                    // its sender goes away before the delay has passed
                }
                try (ReplogClient current = ReplogClient.connect("127.0.0.1", secondary.port())) {
                    final Frame ack = current.send(replicate(0xBBBL, 1, "of the current master"))
                        .get(10, TimeUnit.SECONDS);
                    assertEquals(1, assertInstanceOf(Ack.class, ack).ackedId());
                }
                assertEquals(0xBBBL, secondary.log().logId(), "the secondary follows the log of the live connection");
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
    void delayedReplicatesWithTheSameBytesAreEachAppliedAndAnsweredOverReplicate() throws Exception {
        assumeFalse(ReplogNode.FIXED_ON_ENGINE, "REPLICATE is the fixed-role stack's frame");
        try (EventLoops loops = new EventLoops(2, "edge")) {
            final ReplogNode secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0)
                .httpPort(0).delayMs(200), loops);
            try (ReplogClient master = ReplogClient.connect("127.0.0.1", secondary.port())) {
                // equal entry runs at different msg_ids: two frames, not one
                final var first = master.send(replicate(0xCCCL, 1, "same"));
                final var second = master.send(replicate(0xCCCL, 2, "same"));
                assertEquals(1, assertInstanceOf(Ack.class, first.get(10, TimeUnit.SECONDS)).ackedId());
                assertEquals(2, assertInstanceOf(Ack.class, second.get(10, TimeUnit.SECONDS)).ackedId());
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
