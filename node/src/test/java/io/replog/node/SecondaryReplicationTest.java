package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;

import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A real secondary fed replication frames by hand, the way a master (or a reconnecting one) might send them:
 * duplicates are ignored, entries ahead of a gap are never shown before it closes, only the contiguous prefix is ever
 * shown, each message exactly once. An APPEND_ENTRIES past a gap is refused and the master resends from the gap.
 */
class SecondaryReplicationTest {
    private static final long LOG_ID = 0x5eed;

    private ReplogNode secondary;

    @BeforeEach
    void start() {
        secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), null);
    }

    @AfterEach
    void stop() {
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
    void entriesOfAnotherLogAreRefusedOnceTheSecondaryHoldsAny() throws Exception {
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

    @Test
    void theMasterRefusesReplicationAndKeepsTheConnection() {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(0));
             ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
            final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(client.send(
                new AppendEntries(client.nextRequestId(), 2, 1, 0, 0, 0, LOG_ID, List.of()))));
            // a local cluster authenticates replication: an unauthenticated connection is refused before anything
            // else (a node without a key answers UNEXPECTED_FRAME: the master takes no replication)
            assertEquals(ErrorCode.UNAUTHORIZED, ((ReplogException) e.getCause()).code());
            assertEquals(1, Await.result(client.append("still here", 1)));
        }
    }
}
