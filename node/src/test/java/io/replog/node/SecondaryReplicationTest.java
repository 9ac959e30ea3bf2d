package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.config.NodeConfig;
import io.replog.protocol.Ack;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.EntryRun;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.Frame;
import io.replog.protocol.Replicate;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;

import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real secondary fed replication frames by hand, the way a master (or a reconnecting one) might send them:
 * duplicates are ignored, entries ahead of a gap are never shown before it closes, only the contiguous prefix is ever
 * shown, each message exactly once. On the engine (APPEND_ENTRIES) a request past a gap is refused and the master
 * resends from the gap; the fixed-role stack (REPLICATE, {@code *OverReplicate}: deleted with that frame) held it back.
 */
class SecondaryReplicationTest {
    private static final long LOG_ID = 0x5eed;

    private ReplogNode secondary;
    private ReplogClient master;

    @BeforeEach
    void start() {
        secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), null);
        master = ReplogClient.connect("127.0.0.1", secondary.port());
    }

    @AfterEach
    void stop() {
        master.close();
        secondary.close();
    }

    /** Where the secondary's log matches the master's after {@code messages} at {@code prevId} + 1…; -1: refused. */
    private static long accepted(final HandFedMaster fed, final long prevId, final String... messages)
        throws Exception {
        final HandFedMaster.Reply reply = fed.append(LOG_ID, prevId, messages);
        assertEquals(0, reply.errorCode(), reply.errorText());
        return reply.accepted() ? reply.acceptedId() : -1;
    }

    /** What the secondary serves once it holds {@code count} messages durably (it serves only what is durable). */
    private List<String> served(final int count) {
        Await.until("the secondary serves " + count, () -> texts(secondary).size() >= count);
        return texts(secondary);
    }

    @Test
    void duplicatesAreIgnoredAndNothingPastAGapIsShown() throws Exception {
        assumeTrue(ReplogNode.FIXED_ON_ENGINE, "APPEND_ENTRIES reaches a secondary on the engine only");
        try (HandFedMaster fed = new HandFedMaster(secondary)) {
            assertEquals(0, accepted(fed, 0), "an empty APPEND_ENTRIES (a heartbeat) probes the position");
            assertEquals(2, accepted(fed, 0, "a", "b"));
            assertEquals(3, accepted(fed, 1, "b", "c"), "b is a duplicate, c is new");
            assertEquals(3, accepted(fed, 0, "a", "b", "c"), "a full resend changes nothing");
            assertEquals(List.of("a", "b", "c"), served(3));

            final HandFedMaster.Reply gap = fed.append(LOG_ID, 5, "f");
            assertFalse(gap.accepted(), "6 arrives before 4 and 5: refused, not acknowledged");
            assertEquals(4, gap.conflictId(), "the master is told to resume at 4");
            assertEquals(-1, accepted(fed, 4, "e"));
            assertEquals(List.of("a", "b", "c"), texts(secondary), "never shows 5 or 6 before 4");
            assertEquals(4, accepted(fed, 3, "d"));
            assertEquals(6, accepted(fed, 3, "d", "e", "f"), "the master's resend from the gap closes it");
            assertEquals(List.of("a", "b", "c", "d", "e", "f"), served(6));
            assertEquals(6, accepted(fed, 3, "d", "e", "f"));
            assertEquals(List.of("a", "b", "c", "d", "e", "f"), texts(secondary), "each message exactly once");
        }
    }

    @Test
    void entriesOfAnotherLogAreRefusedOnceTheSecondaryHoldsAnyOnTheEngine() throws Exception {
        assumeTrue(ReplogNode.FIXED_ON_ENGINE, "APPEND_ENTRIES reaches a secondary on the engine only");
        try (HandFedMaster fed = new HandFedMaster(secondary)) {
            assertEquals(1, accepted(fed, 0, "old-log"));
            assertEquals(List.of("old-log"), served(1));
            final HandFedMaster.Reply refused = fed.append(LOG_ID + 1, 0, "new-log");
            assertEquals(ErrorCode.LOG_MISMATCH, refused.errorCode(), String.valueOf(refused));
        }
        assertEquals(List.of("old-log"), texts(secondary), "the two histories are never mixed");
        assertEquals(Long.toHexString(LOG_ID), ClusterTestSupport.json(secondary, "/health").path("log_id").asText(),
            "it keeps following its first log");
    }

    private long replicate(final long firstId, final String... messages) {
        final ByteBuf run = Unpooled.buffer();
        for (final String m : messages) {
            EntryRun.writeEntry(run, m.getBytes(StandardCharsets.UTF_8));
        }
        final Frame answer = Await.result(master.send(new Replicate(master.nextRequestId(), LOG_ID, firstId,
            messages.length, 1, run)));
        return assertInstanceOf(Ack.class, answer).ackedId();
    }

    @Test
    void duplicatesAreIgnoredAndGapsHideWhatComesAfterThemOverReplicate() {
        assumeFalse(ReplogNode.FIXED_ON_ENGINE, "REPLICATE is the fixed-role stack's frame");
        assertEquals(0, replicate(1), "an empty REPLICATE probes the position");
        assertEquals(2, replicate(1, "a", "b"));
        assertEquals(3, replicate(2, "b", "c"), "b is a duplicate, c is new");
        assertEquals(3, replicate(1, "a", "b", "c"), "a full resend changes nothing");
        assertEquals(List.of("a", "b", "c"), texts(secondary));

        assertEquals(3, replicate(6, "f"), "6 arrives before 4 and 5: held back, not acknowledged");
        assertEquals(List.of("a", "b", "c"), texts(secondary), "never shows 6 before 4 and 5");
        assertEquals(3, replicate(5, "e"));
        assertEquals(6, replicate(4, "d"), "the gap closes and everything held back is applied");
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), texts(secondary));
        assertEquals(6, replicate(4, "d", "e", "f"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), texts(secondary), "each message exactly once");
    }

    @Test
    void entriesOfAnotherLogAreRefusedOnceTheSecondaryHoldsAnyOverReplicate() {
        assumeFalse(ReplogNode.FIXED_ON_ENGINE, "REPLICATE is the fixed-role stack's frame");
        assertEquals(1, replicate(1, "old-log"));
        final ByteBuf run = Unpooled.buffer();
        EntryRun.writeEntry(run, "new-log".getBytes(StandardCharsets.UTF_8));
        final CompletionException e = assertThrows(CompletionException.class,
            () -> Await.result(master.send(new Replicate(master.nextRequestId(), LOG_ID + 1, 1, 1, 1, run))));
        assertEquals(ErrorCode.LOG_MISMATCH, ((ReplogException) e.getCause()).code());
        assertEquals(List.of("old-log"), texts(secondary), "the two histories are never mixed");
    }

    @Test
    void theMasterRefusesReplicationAndKeepsTheConnection() {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(0));
             ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
            // replication frames of either stack: REPLICATE (fixed roles) and APPEND_ENTRIES (the engine)
            final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(client.send(
                new AppendEntries(client.nextRequestId(), 2, 1, 0, 0, 0, LOG_ID, List.of()))));
            // a local cluster authenticates replication: an unauthenticated connection is refused before anything
            // else (a node without a key answers UNEXPECTED_FRAME: the master takes no replication)
            assertEquals(ErrorCode.UNAUTHORIZED, ((ReplogException) e.getCause()).code());
            assertEquals(1, Await.result(client.append("still here", 1)));
        }
    }
}
