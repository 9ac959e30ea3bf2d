package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.node.consensus.Replica.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.replog.node.consensus.ReplicaFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower step by step: what it appends, keeps and cuts of a master's entries (by epoch), what it answers (where
 * to resume when it refuses), what it reports durable, what it learns committed, and how it fences an old master.
 */
class ReplicaFollowerTest {
    private final ReplicaFixture node = new ReplicaFixture();

    private ReplicateReply replyTo3() {
        return node.lastTo(3, ReplicateReply.class);
    }

    private List<String> log() {
        return node.storage.disk.entries().stream()
            .map(e -> e.epoch() + ":" + new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    @Test
    void entriesFromTheMasterAreWrittenSyncedOnceAndAcknowledgedDurableOnlyOnceDurable() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 0));
        assertEquals(List.of("2:a", "2:b"), log());
        assertEquals(1, node.storage.syncs, "one sync for the batch");
        assertEquals(new ReplicateReply(2, true, 2, 0, 0, 0), replyTo3());
        assertEquals(List.of("FOLLOWER epoch 2 master 3: node 3 is in epoch 2"), node.events);
        node.clearSent();
        node.fsync();
        assertEquals(List.of(new ReplicateReply(2, true, 2, 2, 0, 0)), node.sentTo(3));
        node.replica.durable(2);
        node.replica.durable(1);
        assertEquals(1, node.sent.size(), "nothing new to report");
    }

    @Test
    void aHeartbeatWritesAndSyncsNothingAndEntriesAlreadyHeldAreNotWrittenAgain() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 0));
        node.replica.receive(3, new Replicate(2, 2, 2, List.of(), 0));
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 0));
        assertEquals(List.of("2:a", "2:b"), log());
        assertEquals(1, node.storage.syncs);
        assertTrue(node.events.stream().noneMatch(e -> e.startsWith("truncated")), node.events.toString());
        assertEquals(new ReplicateReply(2, true, 2, 0, 0, 0), replyTo3(), "still holds up to 2 as the master does");
    }

    @Test
    void entriesOfAnotherEpochAtTheSameIdsAreCutFromTheFirstThatDiffers() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b"), entry(1, "c")), 0));
        node.events.clear();
        node.replica.receive(3, new Replicate(2, 1, 1, List.of(entry(1, "b"), entry(2, "x")), 0));
        assertEquals(List.of("1:a", "1:b", "2:x"), log());
        assertEquals(List.of("FOLLOWER epoch 2 master 3: node 3 is in epoch 2", "truncated after 2 of 3"),
            node.events);
        assertEquals(new ReplicateReply(2, true, 3, 0, 0, 0), replyTo3());
    }

    @Test
    void entriesAfterAnIdItDoesNotHoldAreRefusedWithItsEnd() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 0));
        node.replica.receive(3, new Replicate(2, 3, 2, List.of(entry(2, "d")), 0));
        assertEquals(new ReplicateReply(2, false, 2, 0, 0, 3), replyTo3(), "resume after msg_id 2");
        assertEquals(2, node.storage.lastId());
    }

    @Test
    void entriesAfterAnIdOfAnotherEpochAreRefusedWithWhereThatEpochStarts() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        node.replica.receive(2, new Replicate(3, 2, 1, List.of(entry(3, "c"), entry(3, "d")), 0));
        node.replica.receive(3, new Replicate(4, 4, 2, List.of(entry(4, "e")), 0));
        // the master of epoch 4 had msg_id 4 in epoch 2: this node's epoch 3 from msg_id 3 on is not its
        assertEquals(new ReplicateReply(4, false, 0, 0, 3, 3), replyTo3());
        node.replica.receive(3, new Replicate(4, 2, 1, List.of(entry(2, "c'")), 0));
        assertEquals(new ReplicateReply(4, true, 3, 0, 0, 0), replyTo3());
        assertEquals(List.of("1:a", "1:b", "2:c'"), log());
    }

    @Test
    void whatItAcceptedInAnEpochNeverGoesDownOnAnOldOrDuplicatedMessage() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b"), entry(2, "c")), 0));
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a")), 0));
        assertEquals(new ReplicateReply(2, true, 3, 0, 0, 0), replyTo3());
    }

    @Test
    void itLearnsWhatIsCommittedButNeverBeyondWhatItHoldsAsTheMasterDoes() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 5));
        assertEquals(2, node.replica.commitId());
        assertTrue(node.events.contains("committed 2"), node.events.toString());
        node.replica.receive(3, new Replicate(2, 2, 2, List.of(), 1));
        assertEquals(2, node.replica.commitId(), "never back");
        assertEquals(1, node.events.stream().filter(e -> e.startsWith("committed")).count());
        node.replica.receive(3, new Replicate(2, 2, 2, List.of(entry(2, "c")), 3));
        assertEquals(3, node.replica.commitId());
    }

    @Test
    void aNewMastersHeartbeatCountsOnlyWhatItMatchedInItsOwnEpoch() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b"), entry(1, "c")), 0));
        node.fsync();
        node.clearSent();
        // the master of epoch 2 has only msg_id 1 in common with this log so far
        node.replica.receive(3, new Replicate(2, 1, 1, List.of(), 0));
        assertEquals(new ReplicateReply(2, true, 1, 1, 0, 0), replyTo3());
        node.replica.durable(3);
        assertEquals(1, node.sentTo(3).size(), "3 is durable, but only 1 is the master's");
    }

    @Test
    void aFollowerWithoutAMasterReportsNothingDurable() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a")), 0));
        node.replica.receive(2, new VoteRequest(3, 2, 1, false));
        assertEquals(Replica.NOBODY, node.replica.masterId());
        node.clearSent();
        node.fsync();
        assertTrue(node.sent.isEmpty(), node.sent.toString());
    }

    @Test
    void aCandidateReportsNothingDurable() {
        node.replica.receive(3, new Replicate(0, 0, 0, List.of(entry(0, "a")), 0));
        node.tickAtMs(1000);
        node.replica.receive(2, new PeerMessage.VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, node.replica.role());
        node.clearSent();
        node.fsync();
        assertTrue(node.sent.isEmpty(), node.sent.toString());
    }

    @Test
    void anOldMasterIsRefusedWithTheNewerEpochAndChangesNothing() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a")), 0));
        node.events.clear();
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "z")), 1));
        assertEquals(new ReplicateReply(2, false, 0, 0, 0, 0), node.lastTo(2, ReplicateReply.class));
        assertEquals(List.of("2:a"), log());
        assertEquals(3, node.replica.masterId());
        assertEquals(0, node.replica.commitId());
        assertTrue(node.events.isEmpty(), node.events.toString());
    }

    @Test
    void hearingFromTheMasterPutsOffTheElection() {
        node.atMs(100);
        node.replica.receive(3, new Replicate(0, 0, 0, List.of(), 0));
        node.clearSent();
        node.tickAtMs(249.999);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(250);
        assertEquals(new VoteRequest(1, 0, 0, true), node.lastTo(2, VoteRequest.class));
        assertEquals(Replica.NOBODY, node.replica.masterId(), "it no longer counts on that master");
        // a master's word ends the pre-vote it started
        node.replica.receive(3, new Replicate(0, 0, 0, List.of(), 0));
        node.replica.receive(2, new PeerMessage.VoteReply(1, true, true));
        assertEquals(Role.FOLLOWER, node.replica.role());
    }

    @Test
    void aMasterIgnoresAnotherMasterOfItsOwnEpoch() {
        node.becomeMaster();
        final long lastId = node.storage.lastId();
        node.replica.receive(2, new Replicate(node.replica.epoch(), lastId, 1, List.of(entry(1, "?")), 0));
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        assertEquals(lastId, node.storage.lastId());
        assertEquals(Role.LEADER, node.replica.role());
    }

    @Test
    void whatItAcceptedFromOneMasterDoesNotCountForAnother() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        node.fsync();
        // two masters in one epoch cannot be; should node 3 claim it, it learns this node's log from the start
        node.replica.receive(3, new Replicate(1, 0, 0, List.of(), 0));
        assertEquals(new ReplicateReply(1, true, 0, 0, 0, 0), replyTo3());
        assertEquals(3, node.replica.masterId());
        assertEquals("FOLLOWER epoch 1 master 3: node 3 is master", node.events.get(node.events.size() - 1));
    }
}
