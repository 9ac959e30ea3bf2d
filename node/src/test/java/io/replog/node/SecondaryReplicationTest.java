package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.config.NodeConfig;
import io.replog.protocol.Ack;
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
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A real secondary fed REPLICATE frames by hand, the way a master (or a reconnecting one) might send them:
 * duplicates are ignored, entries ahead of a gap are held back, only the contiguous prefix is ever shown.
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
    void duplicatesAreIgnoredAndGapsHideWhatComesAfterThem() {
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
    void entriesOfAnotherLogAreRefusedOnceTheSecondaryHoldsAny() {
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
            final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(client.send(
                new Replicate(client.nextRequestId(), LOG_ID, 1, 0, 1, Unpooled.EMPTY_BUFFER))));
            // a local cluster authenticates replication: an unauthenticated connection is refused before anything
            // else (a node without a key answers UNEXPECTED_FRAME: the master takes no replication)
            assertEquals(ErrorCode.UNAUTHORIZED, ((ReplogException) e.getCause()).code());
            assertEquals(1, Await.result(client.append("still here", 1)));
        }
    }
}
