package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.node.consensus.Replica.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.replog.node.consensus.ReplicaFixture.MS;
import static io.replog.node.consensus.ReplicaFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master step by step: its first entry, the commit rule (an entry of its own epoch on a majority), the write
 * concern of each append, tags sent again, batches and the in-flight window, where it resumes a peer that refused,
 * heartbeats, stepping down when no majority answers, and stopping.
 */
class ReplicaMasterTest {
    private final ReplicaFixture node = new ReplicaFixture();

    private static String text(final PeerEntry entry) {
        return entry.epochStart() ? "start" : entry.epoch() + ":" + new String(entry.payload(),
            java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What a Replicate carries, as text: "epoch/prevId/prevEpoch [entries] commit". */
    private static String describe(final PeerMessage message) {
        final Replicate r = (Replicate) message;
        return r.epoch() + "/" + r.prevId() + "/" + r.prevEpoch() + " " + r.entries().stream()
            .map(ReplicaMasterTest::text).toList() + " " + r.commitId();
    }

    private String lastTo(final int peer) {
        return describe(node.lastTo(peer, Replicate.class));
    }

    /** Node 1 holds 1:a and 1:b from master 2 of epoch 1, then is elected in epoch 2. */
    private void electedOverTwoEntriesOfEpoch1() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        node.fsync();
        node.becomeMaster();
    }

    @Test
    void aNewMasterWritesAnEntryOfItsEpochAndOffersItToEveryPeer() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        final int syncs = node.storage.syncs;
        node.now += 300 * MS;
        node.tick();
        node.replica.receive(2, new PeerMessage.VoteReply(2, true, true));
        node.replica.receive(3, new PeerMessage.VoteReply(2, true, false));
        assertEquals(Role.LEADER, node.replica.role());
        assertEquals(1, node.replica.masterId());
        assertEquals(syncs + 1, node.storage.syncs, "its first entry is synced at once");
        assertEquals("2/2/1 [start] 0", lastTo(2));
        assertEquals("2/2/1 [start] 0", lastTo(3));
        assertEquals("LEADER epoch 2 master 1: won the election with 2 of 3 votes",
            node.events.get(node.events.size() - 1));
    }

    @Test
    void entriesOfAnEarlierEpochAreCommittedOnlyWithOneOfTheMastersOwn() {
        electedOverTwoEntriesOfEpoch1();
        node.fsync();
        node.accepted(2, 2, 2);
        assertEquals(0, node.replica.commitId(), "a majority holds msg_id 2, of epoch 1: not enough (Figure 8)");
        node.accepted(2, 3, 3);
        assertEquals(3, node.replica.commitId());
        node.accepted(3, 3, 3);
        assertEquals(List.of("committed 3"), node.events, "announced once");
    }

    @Test
    void eachAppendIsAnsweredOnceItsWNodesHoldItAndFromAMajorityOnOnlyOnceCommitted() {
        node.becomeMaster();
        node.append("x", 1);
        node.append("y", 2);
        node.append("z", 3);
        assertEquals(3, node.replica.waitingAppends());
        node.replica.flush();
        node.fsync();
        assertEquals(List.of("stored 2"), node.answers, "w=1: the master's own fsync; nothing is committed yet");
        assertEquals(0, node.replica.commitId());
        node.accepted(2, 4, 3);
        assertEquals(List.of("stored 2", "stored 3"), node.answers);
        assertEquals(3, node.replica.commitId());
        node.accepted(3, 4, 4);
        assertEquals(List.of("stored 2", "stored 3"), node.answers, "w=3: node 2 holds only up to 3 durably");
        node.accepted(2, 4, 4);
        assertEquals(List.of("stored 2", "stored 3", "stored 4"), node.answers);
        assertEquals(0, node.replica.waitingAppends());
    }

    @Test
    void aPeerClaimingMoreThanTheMastersLogHoldsIsNeverCounted() {
        node.becomeMaster();
        node.append("x", 2);
        node.replica.flush();
        node.fsync();
        node.accepted(2, 5, 5); // the log ends at 2 (start, x)
        node.accepted(3, 2, 3); // durably more than it holds
        assertTrue(node.answers.isEmpty(), node.answers.toString());
        assertEquals(0, node.replica.commitId());
        node.accepted(3, 2, 2);
        assertEquals(List.of("stored 2"), node.answers, "an honest peer's word still counts");
    }

    @Test
    void aPeersWordThatItHoldsIsNotAPeersWordThatItHoldsDurably() {
        node.becomeMaster();
        node.append("x", 2);
        node.replica.flush();
        node.fsync();
        node.accepted(2, 2, 0);
        node.accepted(3, 2, 1);
        assertTrue(node.answers.isEmpty(), node.answers.toString());
        node.accepted(3, 2, 2);
        assertEquals(List.of("stored 2"), node.answers);
    }

    @Test
    void wMustBeOneToTheClusterSize() {
        node.becomeMaster();
        node.append("none", 0);
        node.append("four", 4);
        node.append("all", 3);
        assertEquals(List.of("failed INVALID_REQUEST (master 1): w must be 1..3 (the cluster's nodes), got 0",
            "failed INVALID_REQUEST (master 1): w must be 1..3 (the cluster's nodes), got 4"), node.answers);
        assertEquals(2, node.storage.lastId(), "only the valid one was written");
        assertEquals(1, node.replica.waitingAppends());
    }

    @Test
    void onlyTheMasterTakesAppendsAndAFollowerNamesTheOneItKnows() {
        node.append("x", 1);
        node.replica.receive(3, new Replicate(1, 0, 0, List.of(), 0));
        node.append("y", 1);
        assertEquals(List.of("failed NOT_MASTER (master 0): not the master: no master is known right now (an "
                + "election may be under way); retry shortly",
            "failed NOT_MASTER (master 3): not the master; node 3 is"), node.answers);
        assertEquals(0, node.storage.lastId());
    }

    @Test
    void appendsBeyondTheWaitingLimitAreRefusedUntilSomeAreAnswered() {
        final ReplicaFixture small = new ReplicaFixture(1, new int[] {2, 3},
            new ReplicaSettings(150, 300, 50, 1024, 2));
        small.becomeMaster();
        small.append("a", 2);
        small.append("b", 2);
        small.append("c", 2);
        assertEquals(List.of("failed OVERLOADED (master 1): too many appends waiting for their w (2); retry later"),
            small.answers);
        assertEquals(3, small.storage.lastId(), "c was not written");
        small.append("d", 1);
        assertEquals(4, small.storage.lastId(), "w=1 is never refused for this: it waits for no peer");
        small.replica.flush();
        small.fsync();
        small.accepted(2, 4, 4);
        small.append("e", 2);
        assertEquals(5, small.storage.lastId(), "a and b were answered: there is room again");
        assertEquals(1, small.replica.waitingAppends());
    }

    @Test
    void aTagSentAgainWaitsForTheEntryItGotTheFirstTime() {
        node.becomeMaster();
        node.appendTagged("a", 1, 7, 1);
        node.appendTagged("a", 1, 7, 1);
        node.appendTagged("b", 1, 7, 2);
        assertEquals(3, node.storage.lastId(), "the same tag is not written twice");
        assertEquals(3, node.replica.waitingAppends());
        node.replica.flush();
        node.fsync();
        assertEquals(List.of("stored 2", "stored 3", "stored 2"), node.answers);
        node.appendTagged("a", 1, 7, 1);
        assertEquals("stored 2", node.answers.get(3), "already held by w: answered at once");
        node.appendTagged("a", 1, 8, 1);
        assertEquals(4, node.storage.lastId(), "another client's tag is another message");
    }

    @Test
    void aNewMasterKnowsTheTagsInItsLogButAnswersThemOnlyOnceCommitted() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(PeerEntry.message(1, ReplicaFixture.bytes("a"), 7, 1)),
            0));
        node.becomeMaster();
        node.appendTagged("a", 2, 7, 1);
        assertEquals(2, node.storage.lastId(), "held already, as msg_id 1");
        node.fsync();
        node.accepted(2, 1, 1);
        assertTrue(node.answers.isEmpty(), "two nodes hold msg_id 1, but nothing of epoch 2 is committed: "
            + node.answers);
        node.accepted(2, 2, 2);
        assertEquals(List.of("stored 1"), node.answers);
    }

    @Test
    void aNewMasterAnswersATagSentAgainThatItHoldsDurablyAtOnceForWOne() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(PeerEntry.message(1, ReplicaFixture.bytes("a"), 7, 1)),
            0));
        node.fsync();
        node.becomeMaster();
        node.appendTagged("a", 1, 7, 1);
        assertEquals(List.of("stored 1"), node.answers);
    }

    @Test
    void flushStoresTheBurstAndSendsItToPeersThatAreBehind() {
        node.becomeMaster();
        final int syncs = node.storage.syncs;
        node.append("x", 1);
        node.append("y", 1);
        assertEquals(syncs, node.storage.syncs, "not before the flush");
        assertTrue(node.sent.isEmpty());
        node.replica.flush();
        assertEquals(syncs + 1, node.storage.syncs);
        assertEquals("1/1/1 [1:x, 1:y] 0", lastTo(2));
        assertEquals("1/1/1 [1:x, 1:y] 0", lastTo(3));
        node.clearSent();
        node.replica.flush();
        assertEquals(syncs + 1, node.storage.syncs, "nothing new");
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.append("z", 1);
        node.replica.flush();
        assertEquals("1/3/1 [1:z] 0", lastTo(2), "what was sent is not sent again");
    }

    @Test
    void aBatchStopsAtItsCountAndAtItsBytesButCarriesAtLeastOneEntry() {
        final long oneEntry = 100 + Replica.ENTRY_OVERHEAD;
        final ReplicaFixture bytes = new ReplicaFixture(1, new int[] {2, 3},
            new ReplicaSettings(150, 300, 50, 3, 1000).withMaxBatchBytes(2 * oneEntry));
        bytes.becomeMaster();
        for (int i = 0; i < 4; i++) {
            bytes.append("x".repeat(100), 1);
        }
        bytes.replica.flush();
        final Replicate first = bytes.lastTo(2, Replicate.class);
        assertEquals(2, first.entries().size(), "two fit the bytes");
        bytes.accepted(2, 3, 0);
        assertEquals(2, bytes.lastTo(2, Replicate.class).entries().size());
        assertEquals(3, bytes.lastTo(2, Replicate.class).prevId());

        final ReplicaFixture tiny = new ReplicaFixture(1, new int[] {2, 3},
            new ReplicaSettings(150, 300, 50, 3, 1000).withMaxBatchBytes(1));
        tiny.becomeMaster();
        tiny.append("big", 1);
        tiny.append("big", 1);
        tiny.replica.flush();
        assertEquals(1, tiny.lastTo(2, Replicate.class).entries().size(), "one entry always goes");

        final ReplicaFixture counted = new ReplicaFixture(1, new int[] {2, 3}, new ReplicaSettings(150, 300, 50, 3,
            1000));
        counted.becomeMaster();
        for (int i = 0; i < 5; i++) {
            counted.append("m" + i, 1);
        }
        counted.replica.flush();
        assertEquals("1/1/1 [1:m0, 1:m1, 1:m2] 0", describe(counted.lastTo(2, Replicate.class)));
    }

    /** maxBatch 1: at most 4 entries in flight beyond what a peer said it holds. */
    private final ReplicaFixture windowed = new ReplicaFixture(1, new int[] {2, 3},
        new ReplicaSettings(150, 300, 50, 1, 1000));

    private String windowedLastTo(final int peer) {
        return describe(windowed.lastTo(peer, Replicate.class));
    }

    @Test
    void aSilentPeerGetsAtMostTheWindowThenHeartbeatsThenItsWindowAgain() {
        windowed.becomeMaster(); // at 300 ms; the epoch start went out: 1 in flight
        for (final String m : List.of("a", "b", "c", "d", "e")) {
            windowed.append(m, 1);
        }
        windowed.replica.flush();
        assertEquals("1/1/1 [1:a] 0", windowedLastTo(3));
        windowed.tickAtMs(350);
        assertEquals("1/2/1 [1:b] 0", windowedLastTo(3));
        windowed.tickAtMs(400);
        assertEquals("1/3/1 [1:c] 0", windowedLastTo(3), "4 in flight now");
        windowed.atMs(450);
        windowed.accepted(3, 1, 0); // holds the epoch start: one more may go
        assertEquals("1/4/1 [1:d] 0", windowedLastTo(3));
        windowed.tickAtMs(500);
        assertEquals("1/1/1 [] 0", windowedLastTo(3), "window full: a heartbeat after what it holds");
        windowed.accepted(3, 1, 0); // its answer to the heartbeat: it still holds only msg_id 1, no progress
        windowed.tickAtMs(549.999);
        assertEquals(5, windowed.sentTo(3).size(), "not due");
        windowed.tickAtMs(550);
        assertEquals("1/1/1 [1:a] 0", windowedLastTo(3), "two heartbeats without progress: resent from what it holds");
    }

    @Test
    void aWindowWithRecentProgressIsNotResent() {
        windowed.becomeMaster();
        for (final String m : List.of("a", "b", "c", "d", "e")) {
            windowed.append(m, 1);
        }
        windowed.replica.flush();
        windowed.tickAtMs(350);
        windowed.tickAtMs(400);
        windowed.atMs(450.001);
        windowed.accepted(3, 1, 0);
        windowed.tickAtMs(500);
        windowed.tickAtMs(550);
        assertEquals("1/1/1 [] 0", windowedLastTo(3), "progress 99.999 ms ago: still waiting");
    }

    @Test
    void anAcceptedPeerGetsWhatFollowsAndALateAnswerDoesNotSendItBack() {
        windowed.becomeMaster();
        for (final String m : List.of("a", "b", "c", "d", "e")) {
            windowed.append(m, 1);
        }
        windowed.replica.flush();
        windowed.accepted(2, 2, 0);
        assertEquals("1/2/1 [1:b] 0", windowedLastTo(2));
        windowed.accepted(2, 1, 0); // an older answer, late
        assertEquals("1/3/1 [1:c] 0", windowedLastTo(2), "goes on from where it was");
        windowed.accepted(2, 4, 0);
        assertEquals("1/4/1 [1:d] 0", windowedLastTo(2));
        windowed.accepted(2, 5, 0);
        assertEquals("1/5/1 [1:e] 0", windowedLastTo(2), "the last entry too");
        windowed.accepted(2, 6, 0);
        assertEquals("1/5/1 [1:e] 0", windowedLastTo(2), "nothing left to send");
    }

    @Test
    void anAcceptanceThatArrivesAfterARefusalMovesThePeerOnPastWhatItHolds() {
        windowed.becomeMaster();
        for (final String m : List.of("a", "b", "c", "d", "e")) {
            windowed.append(m, 1);
        }
        windowed.replica.flush();
        windowed.tickAtMs(350);
        assertEquals("1/2/1 [1:b] 0", windowedLastTo(2));
        // a stale refusal sends the master back to msg_id 2; then the answer to [b] arrives, reordered
        windowed.replica.receive(2, new ReplicateReply(1, false, 0, 0, 0, 2));
        assertEquals("1/1/1 [1:a] 0", windowedLastTo(2));
        windowed.accepted(2, 3, 0);
        assertEquals("1/3/1 [1:c] 0", windowedLastTo(2), "it holds up to 3: on from there, not [b] again");
    }

    @Test
    void aPeerThatRefusesIsResumedWhereItsLogAndTheMastersMeet() {
        electedOverTwoEntriesOfEpoch1(); // log 1:a 1:b start(2)
        node.append("c", 1);
        node.clearSent();
        node.replica.receive(3, new ReplicateReply(2, false, 0, 0, 0, 2));
        assertEquals("2/1/1 [1:b, start, 2:c] 0", lastTo(3), "its log ends at 1");
        node.replica.receive(3, new ReplicateReply(2, false, 0, 0, 1, 1));
        assertEquals("2/2/1 [start, 2:c] 0", lastTo(3), "after the master's last entry of epoch 1");
        node.replica.receive(3, new ReplicateReply(2, false, 0, 0, 0, 99));
        assertEquals("2/4/2 [] 0", lastTo(3), "never past the master's end");
        node.accepted(3, 2, 2);
        node.replica.receive(3, new ReplicateReply(2, false, 0, 0, 0, 1));
        assertEquals("2/2/1 [start, 2:c] 0", lastTo(3), "never below what it holds durably");
    }

    @Test
    void aConflictInAnEpochTheMasterNeverHadResumesAtTheIdThePeerGave() {
        node.replica.receive(2, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        node.replica.receive(2, new ReplicateReply(2, false, 0, 0, 0, 0)); // learns epoch 2, elected in 3
        node.becomeMaster();
        assertEquals(3, node.replica.epoch());
        node.replica.receive(3, new ReplicateReply(3, false, 0, 0, 2, 2));
        assertEquals("3/1/1 [1:b, start] 0", lastTo(3));
    }

    @Test
    void answersFromStrangersOtherEpochsOrToANonMasterAreIgnored() {
        node.becomeMaster();
        node.append("x", 1);
        node.replica.flush();
        node.fsync();
        node.clearSent();
        node.replica.receive(9, new ReplicateReply(1, false, 0, 0, 0, 1));
        node.replica.receive(2, new ReplicateReply(0, true, 2, 2, 0, 0));
        node.replica.receive(2, new ReplicateReply(0, false, 0, 0, 0, 1));
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        assertEquals(0, node.replica.commitId());
        final ReplicaFixture follower = new ReplicaFixture();
        follower.replica.receive(2, new ReplicateReply(0, false, 0, 0, 0, 1));
        assertTrue(follower.sent.isEmpty());
    }

    @Test
    void heartbeatsGoOutEveryHeartbeatInterval() {
        node.becomeMaster(); // at 300 ms
        node.tickAtMs(349.999);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(350);
        assertEquals("1/1/1 [] 0", lastTo(2));
        assertEquals("1/1/1 [] 0", lastTo(3));
        node.clearSent();
        node.tickAtMs(399.999);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(400);
        assertEquals(2, node.sent.size());
    }

    @Test
    void aMasterThatHearsFromNoMajorityForTheLongestElectionTimeoutStepsDown() {
        node.becomeMaster(); // at 300 ms
        node.append("x", 2);
        node.atMs(400);
        node.accepted(2, 1, 0);
        node.tickAtMs(700);
        assertEquals(Role.LEADER, node.replica.role(), "node 2 was heard 300 ms ago");
        node.tickAtMs(700.000001);
        assertEquals(Role.FOLLOWER, node.replica.role());
        assertEquals(Replica.NOBODY, node.replica.masterId());
        assertEquals(1, node.replica.epoch());
        assertEquals(List.of("FOLLOWER epoch 1 master 0: heard from no majority for 300 ms"), node.events);
        assertEquals(List.of("failed NOT_MASTER (master 0): not the master any more: heard from no majority for 300 "
            + "ms"), node.answers);

        // it keeps its vote (for itself) in epoch 1, and waits a whole election timeout before it asks again
        final int saved = node.storage.votesSaved.size();
        node.replica.receive(2, new VoteRequest(1, 1, 2, false));
        assertEquals(new PeerMessage.VoteReply(1, false, false), node.lastTo(2, PeerMessage.VoteReply.class));
        assertEquals(saved, node.storage.votesSaved.size(), "nothing saved: the epoch did not change");
        node.clearSent();
        node.tickAtMs(850);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(850.000001);
        assertEquals(new VoteRequest(2, 1, 2, true), node.lastTo(2, VoteRequest.class));

        final ReplicaFixture unheard = new ReplicaFixture();
        unheard.becomeMaster();
        unheard.tickAtMs(600);
        assertEquals(Role.LEADER, unheard.replica.role(), "its term started 300 ms ago");
        unheard.tickAtMs(600.000001);
        assertEquals(Role.FOLLOWER, unheard.replica.role());
    }

    @Test
    void inFiveNodesOnePeerIsNoMajority() {
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        five.now += 300 * MS;
        five.tick();
        five.replica.receive(2, new PeerMessage.VoteReply(1, true, true));
        five.replica.receive(3, new PeerMessage.VoteReply(1, true, true));
        five.replica.receive(2, new PeerMessage.VoteReply(1, true, false));
        five.replica.receive(3, new PeerMessage.VoteReply(1, true, false));
        assertEquals(Role.LEADER, five.replica.role());
        five.atMs(500);
        five.accepted(2, 1, 0);
        five.tickAtMs(700);
        assertEquals(Role.FOLLOWER, five.replica.role());
        final ReplicaFixture again = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        again.now += 300 * MS;
        again.tick();
        again.replica.receive(2, new PeerMessage.VoteReply(1, true, true));
        again.replica.receive(3, new PeerMessage.VoteReply(1, true, true));
        again.replica.receive(2, new PeerMessage.VoteReply(1, true, false));
        again.replica.receive(3, new PeerMessage.VoteReply(1, true, false));
        again.atMs(500);
        again.accepted(2, 1, 0);
        again.accepted(4, 1, 0);
        again.tickAtMs(700);
        assertEquals(Role.LEADER, again.replica.role());
    }

    @Test
    void aHaltedMasterFailsWhatWaitsAndTakesNoFurtherPart() {
        node.becomeMaster();
        node.append("x", 1);
        final int syncs = node.storage.syncs;
        node.replica.halt("disk gone");
        assertEquals("disk gone", node.replica.halted());
        assertEquals(Role.FOLLOWER, node.replica.role());
        assertEquals(Replica.NOBODY, node.replica.masterId());
        assertEquals(List.of("failed STORAGE_FAILED (master 0): this node's storage failed: disk gone"), node.answers);
        assertEquals(List.of("halted: disk gone", "FOLLOWER epoch 1 master 0: stopped: its storage failed (disk gone); "
            + "restart the node; the other nodes elect another master"), node.events);
        node.replica.flush();
        assertEquals(syncs, node.storage.syncs, "what it wrote before is not synced by a halted node");
        node.append("y", 1);
        assertEquals("failed STORAGE_FAILED (master 0): this node stopped taking part in its cluster: disk gone",
            node.answers.get(1));
        node.tickAtMs(10_000);
        node.replica.receive(2, new VoteRequest(5, 9, 9, false));
        node.replica.receive(3, new Replicate(6, 2, 1, List.of(), 2));
        node.replica.durable(2);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        assertEquals(1, node.replica.epoch(), "not even the epoch changes");
        node.replica.halt("again");
        assertEquals(2, node.events.size(), "stopped once");
        assertEquals("disk gone", node.replica.halted());
    }

    @Test
    void aHaltedFollowerSaysOnlyThatItStopped() {
        assertNull(node.replica.halted());
        node.replica.halt("vote file");
        assertEquals(List.of("halted: vote file",
            "FOLLOWER epoch 0 master 0: stopped: its storage failed (vote file); restart the node"), node.events);
    }

    @Test
    void shuttingDownFailsWhatWaitsAndSaysTheEntryMayStillBeReplicated() {
        node.becomeMaster();
        node.append("x", 2);
        node.replica.shutDown();
        assertEquals(List.of("failed SHUTTING_DOWN (master 0): the node is shutting down; the message is in its log "
            + "and may still be replicated by the next master"), node.answers);
        assertEquals(0, node.replica.waitingAppends());
    }
}
