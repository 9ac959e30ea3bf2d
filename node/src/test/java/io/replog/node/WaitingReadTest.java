package io.replog.node;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.Read;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * READ with flag WAIT (the long poll behind {@code logctl tail -f}) on real nodes: parked while the node holds
 * nothing at from_id, answered by the append (or the replication) that brings it, or empty when its wait ends.
 */
class WaitingReadTest {
    /** Longer than any test waits: an answer before it is the wake-up's doing, never the timeout's. */
    private static final long LONG_WAIT_MS = Read.MAX_WAIT_MS;
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(1));

    @Test
    void aWaitingReadIsAnsweredByTheAppendThatBringsItsMessage() throws Exception {
        for (final ReplogNode reader : java.util.List.of(cluster.master(), cluster.secondaries().get(0))) {
            try (ReplogClient writer = cluster.client(cluster.master());
                 ReplogClient follower = cluster.client(reader)) {
                final long next = Await.result(follower.read(1, 0)).lastId() + 1;
                final CompletableFuture<ReadResult> waiting = follower.read(next, 100, LONG_WAIT_MS);
                Await.until("the READ is parked", () -> reader.waitingReads() == 1);
                assertFalse(waiting.isDone(), "nothing to serve yet");
                final String text = "for the follower of " + (reader == cluster.master() ? "master" : "secondary");
                final long id = Await.result(writer.append(text, 2));
                final ReadResult got = waiting.get(10, TimeUnit.SECONDS); // long before LONG_WAIT_MS
                assertEquals(id, got.messages().get(0).msgId());
                assertEquals(text, got.messages().get(0).text());
                assertEquals(0, reader.waitingReads(), "the answered READ is forgotten");
            }
        }
    }

    @Test
    void aWaitingReadIsAnsweredEmptyWhenItsWaitEnds() throws Exception {
        final ReplogNode master = cluster.master();
        try (ReplogClient follower = cluster.client(master)) {
            final long last = Await.result(follower.read(1, 0)).lastId();
            final ReadResult got = follower.read(last + 1000, 10, 50).get(10, TimeUnit.SECONDS);
            assertEquals(0, got.messages().size());
            assertEquals(last, got.lastId(), "the node's position, as an ordinary READ past the end");
            assertEquals(0, master.waitingReads());
        }
    }

    @Test
    void aReadOfWhatIsThereIsAnsweredAtOnceWithoutWaiting() throws Exception {
        try (ReplogClient c = cluster.client(cluster.master())) {
            final long id = Await.result(c.append("there", 1));
            final ReadResult got = c.read(id, 10, LONG_WAIT_MS).get(10, TimeUnit.SECONDS);
            assertEquals("there", got.messages().get(0).text());
        }
    }

    @Test
    void aWaitBeyondTheBoundOrASecondWaitingReadIsRefusedAndTheConnectionServesOn() throws Exception {
        try (ReplogClient c = cluster.client(cluster.master())) {
            final long past = Await.result(c.read(1, 0)).lastId() + 1_000_000;
            final ExecutionException tooLong = assertThrows(ExecutionException.class,
                () -> c.send(new Read(c.nextRequestId(), past, 10, Read.MAX_WAIT_MS + 1)).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.INVALID_REQUEST, assertInstanceOf(ReplogException.class, tooLong.getCause()).code());
            final CompletableFuture<ReadResult> first = c.read(past, 10, LONG_WAIT_MS);
            Await.until("the first READ is parked", () -> cluster.master().waitingReads() == 1);
            final ExecutionException second = assertThrows(ExecutionException.class,
                () -> c.read(past, 10, LONG_WAIT_MS).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.INVALID_REQUEST, assertInstanceOf(ReplogException.class, second.getCause()).code());
            assertFalse(first.isDone());
            c.ping().get(10, TimeUnit.SECONDS);
        }
        Await.until("a closed connection's waiting READ is forgotten", () -> cluster.master().waitingReads() == 0);
    }
}
