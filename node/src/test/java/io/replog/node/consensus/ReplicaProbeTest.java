package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A master resends a peer that refused, or whose answer is missing, one batch at a time (a probe) and nothing else
 * until it accepts: every batch in flight behind a lost one is refused with the same gap, and answering each refusal
 * with a resend multiplied the traffic to a faulty follower until its answers lagged the heartbeats by seconds. A
 * probe refused or lost in turn is resent without limit, after a heartbeat, then two, up to the shortest election
 * timeout; the resends are told at most once a second.
 */
class ReplicaProbeTest {
    /** maxBatch 1: one entry per batch, so every batch is told apart. */
    private final ReplicaFixture node = new ReplicaFixture(1, new int[] {2, 3},
        new ReplicaSettings(150, 300, 50, 1, 1000));

    private static String describe(final PeerMessage message) {
        final Replicate r = (Replicate) message;
        return r.prevId() + " " + r.entries().stream().map(e -> e.epochStart() ? "start"
            : new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    private String lastTo(final int peer) {
        return describe(node.lastTo(peer, Replicate.class));
    }

    private int sentTo(final int peer) {
        return node.sentTo(peer).size();
    }

    private List<String> resendingEvents() {
        return node.events.stream().filter(e -> e.startsWith("resending")).toList();
    }

    @Test
    void aPeerThatRefusedIsProbedWithOneBatchAndBackoffUntilItAccepts() {
        node.becomeMaster(); // at 300 ms: epoch 1, its start (index 1) went to both peers
        for (final String m : List.of("a", "b", "c")) {
            node.append(m, 1);
        }
        node.replica.flush();
        assertEquals("1 [a]", lastTo(2));
        node.tickAtMs(350);
        assertEquals("2 [b]", lastTo(2), "pipelined");

        // node 2 lost the epoch's start: it refuses [a] and [b] with the same gap (its log is empty)
        final ReplicateReply gap = new ReplicateReply(1, false, 0, 0, 0, 1);
        int sent = sentTo(2);
        node.replica.receive(2, gap);
        assertEquals("0 [start]", lastTo(2), "resent from where it holds the log");
        assertEquals(sent + 1, sentTo(2));
        node.replica.receive(2, gap);
        assertEquals(sent + 1, sentTo(2), "the refusal of what was in flight before is not answered with a resend");
        node.accepted(3, 3, 3); // node 3 holds up to b
        final int toThree = sentTo(3);
        node.append("d", 1);
        node.replica.flush();
        assertEquals(sent + 1, sentTo(2), "nothing new goes to a peer in probe");
        assertEquals(toThree + 1, sentTo(3), "the other peer is not held back");

        node.tickAtMs(400); // a heartbeat after the probe, unaccepted: resent
        assertEquals("0 [start]", lastTo(2));
        assertEquals(sent + 2, sentTo(2));
        node.replica.receive(2, gap); // refused again (say, fault injection): retried after two heartbeats
        node.tickAtMs(450);
        assertEquals("0 []", lastTo(2), "not due: a heartbeat after what it holds");
        node.tickAtMs(500);
        assertEquals("0 [start]", lastTo(2), "retried without limit");
        assertEquals(1, resendingEvents().size(), "told at most once a second: " + resendingEvents());

        node.accepted(2, 1, 1); // it took the probe: pipelining again, from there
        assertEquals("1 [a]", lastTo(2));
        node.accepted(2, 2, 2);
        assertEquals("2 [b]", lastTo(2));
        node.atMs(1_400); // a second after the last line (no tick: the master heard no majority meanwhile)
        node.replica.receive(2, new ReplicateReply(1, false, 2, 2, 0, 3));
        assertEquals("2 [b]", lastTo(2), "a later refusal starts a probe again");
        assertEquals(2, resendingEvents().size(), "a second later, told again: " + resendingEvents());
        assertEquals("resending 2 from 3 (it refused entries after 2): 3 resend(s), retry 0, next in 50 ms",
            resendingEvents().get(1));
    }
}
