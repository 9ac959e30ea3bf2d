package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single scenarios of {@link Replica}, step by step, where the simulation's odds of reaching them are low. */
class ReplicaTest {
    private final List<PeerMessage> sent = new ArrayList<>();
    private final SimDisk disk = new SimDisk(2, new SimDisk.Watcher() {
        @Override
        public void written(final int node, final long id, final PeerEntry entry) {
        }

        @Override
        public void cut(final int node, final long id, final PeerEntry entry) {
        }
    }, () -> { });
    private final Replica follower = new Replica(2, new int[] {1, 3}, disk, (to, message) -> sent.add(message),
        () -> 0L, new Random(1), ReplicaSettings.defaults(), ReplicaEvents.NONE);

    private static PeerEntry entry(final long epoch, final String text) {
        return PeerEntry.message(epoch, text.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    private PeerMessage.ReplicateReply lastReply() {
        return assertInstanceOf(PeerMessage.ReplicateReply.class, sent.get(sent.size() - 1));
    }

    @Test
    void aFollowerNeverReportsMoreDurableThanItHoldsAfterACut() {
        follower.receive(1, new PeerMessage.Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b"), entry(2, "c")),
            0));
        final long synced = disk.fsync(); // 3 durable; the store's report of it is still on its way (a queue)
        // meanwhile the master of epoch 3 cuts the follower back to 1 and writes two entries of its own
        follower.receive(3, new PeerMessage.Replicate(3, 1, 2, List.of(entry(3, "x"), entry(3, "y")), 0));
        assertEquals(1, disk.durableId(), "the cut is durable, the new entries are not yet");
        follower.durable(synced); // the late report of the fsync before the cut
        final PeerMessage.ReplicateReply reply = lastReply();
        assertTrue(reply.durableId() <= 1, "reported " + reply + " while only msg_id 1 is durable");
    }

    @Test
    void aFollowerRefusesEntriesAfterAnEntryItDoesNotHold() {
        follower.receive(1, new PeerMessage.Replicate(2, 0, 0, List.of(entry(2, "a")), 0));
        follower.receive(1, new PeerMessage.Replicate(2, 5, 2, List.of(entry(2, "f")), 0));
        final PeerMessage.ReplicateReply reply = lastReply();
        assertEquals(false, reply.accepted());
        assertEquals(2, reply.conflictId(), "go on after what it holds");
        assertEquals(1, disk.lastId());
    }
}
