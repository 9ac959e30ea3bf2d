package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Failover after crashes, with three {@code replog-node node} processes killed with SIGKILL: no SHUTTING_DOWN to
 * clients, no goodbye to peers, and no closing checkpoint of the log or its tags, so every restart recovers what
 * is on disk. (ClusterMemberTest runs nodes in this JVM, which can only be closed, gracefully.)
 */
class FailoverCrashTest {
    private static final long CLIENT_ID = 42;
    /** Elections slower than the default 150..300 ms: a loaded 2-core machine must not depose masters at whim. */
    private static final String[] TIMINGS = {"--election-timeout-ms", "500..1000", "--peer-heartbeat-ms", "100"};
    /** Answers after which the same tagged append is sent again; any other one fails the test. */
    private static final Set<Short> TRY_AGAIN = Set.of(ReplogException.CONNECTION_LOST, ErrorCode.NOT_MASTER,
        ErrorCode.SHUTTING_DOWN, ErrorCode.OVERLOADED);

    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(NodeProcess::close);
    }

    @Test
    void aKilledMasterIsReplacedRejoinsAsSecondaryAndKillingEveryNodeLosesNoAcknowledgedMessageNorTag()
        throws Exception {
        startCluster();
        final int first = awaitMaster(-1);
        final List<String> acked = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            acked.add("before-" + i);
            ids.add(append(acked.get(i), acked.size(), 2));
        }

        nodes.get(first).kill();
        final int second = awaitMaster(first);
        assertNotEquals(first, second);
        for (int i = 0; i < 50; i++) {
            acked.add("after-" + i);
            ids.add(append(acked.get(acked.size() - 1), acked.size(), 2));
        }
        nodes.get(first).launch(); // its data directory as the kill left it: recovered, then caught up
        Await.until("the killed master rejoins as a secondary holding every acknowledged message", () -> {
            final JsonNode h = nodes.get(first).health(5_000);
            return h != null && "secondary".equals(h.path("role").asText()) && h.path("master_id").asInt() > 0
                && acked.equals(texts(nodes.get(first)));
        });
        awaitEveryNodeHolds(acked);

        // every node at once: what each acknowledged is only what its disk held at the kill
        nodes.forEach(NodeProcess::kill);
        nodes.forEach(NodeProcess::launch);
        awaitMaster(-1);
        final int last = acked.size();
        assertEquals(ids.get(last - 1), append(acked.get(last - 1), last, 3),
            "the last tagged append, sent again after every node was killed: its first msg_id, not a new one");
        awaitEveryNodeHolds(acked);
    }

    /** Every node holds exactly {@code texts}, in order: each acknowledged message once, nothing else. */
    private void awaitEveryNodeHolds(final List<String> texts) {
        for (int i = 0; i < nodes.size(); i++) {
            final NodeProcess node = nodes.get(i);
            Await.until("node " + (i + 1) + " holds each acknowledged message once", () -> texts.equals(texts(node)));
        }
    }

    private void startCluster() {
        final List<Socket> reserved = List.of(NodeProcess.reservePort(), NodeProcess.reservePort(),
            NodeProcess.reservePort());
        final StringBuilder peers = new StringBuilder();
        for (int i = 0; i < reserved.size(); i++) {
            peers.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(reserved.get(i).getLocalPort());
        }
        for (int i = 0; i < reserved.size(); i++) {
            final List<String> args = new ArrayList<>(List.of("node", "--id", String.valueOf(i + 1), "--peers",
                peers.toString()));
            args.addAll(List.of(TIMINGS));
            nodes.add(NodeProcess.startOn("crash-" + (i + 1), reserved.get(i), args.toArray(String[]::new)));
        }
    }

    /**
     * Sends the tagged append (client {@link #CLIENT_ID}, {@code seq}) to the master until it is acknowledged,
     * following the master through NOT_MASTER and past dead nodes; returns its msg_id.
     */
    private long append(final String text, final long seq, final int w) throws InterruptedException {
        final long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
        int target = 0;
        while (true) {
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", nodes.get(target).port())) {
                return client.append(text.getBytes(StandardCharsets.UTF_8), w, 0, CLIENT_ID, seq)
                    .get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | ReplogException | TimeoutException e) {
                final Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (cause instanceof ReplogException r && !TRY_AGAIN.contains(r.code())
                    || !(cause instanceof ReplogException) && !(cause instanceof TimeoutException)) {
                    throw new AssertionError(text + ": an answer that does not mean \"try again\"", cause);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(text + " not acknowledged within " + Await.DEFAULT, cause);
                }
                target = (target + 1) % nodes.size();
                Thread.sleep(20);
            }
        }
    }

    private int awaitMaster(final int not) {
        return NodeProcess.awaitMaster(nodes, not);
    }


    /**
     * The node's messages, which must be exactly what was appended: msg_ids 1, 2, 3 … and no empty entry (a new
     * master's first entry is an epoch mark readers never see); a gap or an empty message shows in the list.
     */
    private static List<String> texts(final NodeProcess node) {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", node.port())) {
            final List<String> texts = new ArrayList<>();
            for (final Message m : client.readAll()) {
                texts.add(m.msgId() == texts.size() + 1 && m.payload().length > 0 ? m.text()
                    : "(msg_id " + m.msgId() + " at position " + (texts.size() + 1) + ": '" + m.text() + "')");
            }
            return texts;
        } catch (Exception e) {
            return List.of("(read failed: " + e + ")");
        }
    }
}
