package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.VoteReply;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.node.consensus.Replica.Role;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.replog.node.consensus.ReplicaFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elections step by step: the timeout, the pre-vote that changes nothing, the vote that changes the epoch, counting
 * (a majority, each voter once), what a voter grants and refuses, and how a higher epoch anywhere fences a node.
 */
class ReplicaElectionTest {
    private final ReplicaFixture node = new ReplicaFixture();

    private static final VoteRequest PRE_VOTE_FOR_EPOCH_1 = new VoteRequest(1, 0, 0, true);

    @Test
    void theElectionTimeoutIsTheShortestPlusItsRandomShareOfTheSpread() {
        node.tickAtMs(149.999);
        assertTrue(node.sent.isEmpty(), "not yet: " + node.sent);
        node.tickAtMs(150);
        assertEquals(PRE_VOTE_FOR_EPOCH_1, node.lastTo(2, VoteRequest.class));
        assertEquals(PRE_VOTE_FOR_EPOCH_1, node.lastTo(3, VoteRequest.class));
        node.tickAtMs(299.999);
        assertEquals(2, node.sent.size(), "one round of asking per election timeout");
        node.tickAtMs(300);
        assertEquals(4, node.sent.size());

        node.random.next = 0.5;
        node.atMs(0);
        node.start();
        node.clearSent();
        node.tickAtMs(224.999);
        assertTrue(node.sent.isEmpty(), "150 + half of the 150 ms spread: " + node.sent);
        node.tickAtMs(225);
        assertEquals(2, node.sent.size());
    }

    @Test
    void aPreVoteChangesNeitherTheEpochNorTheVote() {
        node.tickAtMs(150);
        assertEquals(0, node.replica.epoch());
        assertEquals(Role.FOLLOWER, node.replica.role());
        assertTrue(node.storage.votesSaved.isEmpty(), node.storage.votesSaved.toString());
        assertTrue(node.events.isEmpty(), node.events.toString());
    }

    @Test
    void aMajorityOfPreVotesStartsTheElectionInTheNextEpoch() {
        node.tickAtMs(150);
        node.clearSent();
        node.atMs(160);
        node.replica.receive(2, new VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, node.replica.role());
        assertEquals(1, node.replica.epoch());
        assertEquals(List.of("1:1"), node.storage.votesSaved, "its own vote, saved before it asks for others");
        assertEquals(List.of("CANDIDATE epoch 1 master 0: heard from no master"), node.events);
        assertEquals(new VoteRequest(1, 0, 0, false), node.lastTo(2, VoteRequest.class));
        assertEquals(new VoteRequest(1, 0, 0, false), node.lastTo(3, VoteRequest.class));
        // the election timer started again with the election
        node.clearSent();
        node.tickAtMs(309.999);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(310);
        assertEquals(Role.FOLLOWER, node.replica.role(), "its election failed");
        assertEquals("FOLLOWER epoch 1 master 0: its election in epoch 1 found no majority", node.events.get(1));
        assertEquals(new VoteRequest(2, 0, 0, true), node.lastTo(2, VoteRequest.class), "asks again first");
        assertEquals(1, node.replica.epoch());
    }

    @Test
    void preVotesCountOncePerNodeOnlyForTheNextEpochAndOnlyWhileAsking() {
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        five.tickAtMs(150);
        five.replica.receive(2, new VoteReply(1, true, true));
        five.replica.receive(2, new VoteReply(1, true, true));
        five.replica.receive(3, new VoteReply(2, true, true));
        five.replica.receive(4, new VoteReply(0, false, true));
        assertEquals(Role.FOLLOWER, five.replica.role(), "one pre-vote of the next epoch besides its own");
        five.replica.receive(3, new VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, five.replica.role(), "three of five");

        // a pre-vote that arrives once it stopped asking (a master showed up) starts nothing
        final ReplicaFixture late = new ReplicaFixture();
        late.tickAtMs(150);
        late.replica.receive(3, new Replicate(0, 0, 0, List.of(), 0));
        late.replica.receive(2, new VoteReply(1, true, true));
        assertEquals(Role.FOLLOWER, late.replica.role());
        assertEquals(0, late.replica.epoch());
    }

    @Test
    void aCandidateWinsWithAMajorityOfVotesInItsEpochEachVoterCountedOnce() {
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        five.tickAtMs(150);
        five.replica.receive(2, new VoteReply(1, true, true));
        five.replica.receive(3, new VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, five.replica.role());
        five.replica.receive(2, new VoteReply(1, true, false));
        five.replica.receive(2, new VoteReply(1, true, false));
        five.replica.receive(3, new VoteReply(1, false, false));
        five.replica.receive(4, new VoteReply(0, true, false));
        assertEquals(Role.CANDIDATE, five.replica.role(), "two votes of five: its own and node 2's");
        five.replica.receive(5, new VoteReply(1, true, false));
        assertEquals(Role.LEADER, five.replica.role());
        assertEquals(1, five.replica.masterId());
        assertEquals("LEADER epoch 1 master 1: won the election with 3 of 5 votes",
            five.events.get(five.events.size() - 1));
    }

    @Test
    void votesOfAnEarlierElectionDoNotCountInTheNext() {
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        five.tickAtMs(150);
        five.replica.receive(2, new VoteReply(1, true, true));
        five.replica.receive(3, new VoteReply(1, true, true));
        five.replica.receive(2, new VoteReply(1, true, false));
        assertEquals(Role.CANDIDATE, five.replica.role(), "two of five in epoch 1");
        five.tickAtMs(300); // that election found no majority: ask again, then stand in epoch 2
        five.replica.receive(2, new VoteReply(2, true, true));
        five.replica.receive(3, new VoteReply(2, true, true));
        assertEquals(2, five.replica.epoch());
        five.replica.receive(3, new VoteReply(2, true, false));
        assertEquals(Role.CANDIDATE, five.replica.role(), "node 2's vote was for epoch 1");
        five.replica.receive(4, new VoteReply(2, true, false));
        assertEquals(Role.LEADER, five.replica.role());
    }

    @Test
    void aVoteReplyIsCountedOnlyByACandidate() {
        node.replica.receive(2, new VoteReply(0, true, false));
        node.replica.receive(3, new VoteReply(0, true, false));
        assertEquals(Role.FOLLOWER, node.replica.role());
    }

    @Test
    void aMajorityOfFourIsThree() {
        final ReplicaFixture four = new ReplicaFixture(1, new int[] {2, 3, 4}, ReplicaSettings.defaults());
        four.tickAtMs(150);
        four.replica.receive(2, new VoteReply(1, true, true));
        assertEquals(Role.FOLLOWER, four.replica.role());
        four.replica.receive(3, new VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, four.replica.role());
        four.replica.receive(2, new VoteReply(1, true, false));
        assertEquals(Role.CANDIDATE, four.replica.role());
        four.replica.receive(4, new VoteReply(1, true, false));
        assertEquals(Role.LEADER, four.replica.role());
    }

    @Test
    void aSingleNodeElectsItselfAtItsFirstTimeoutAndCommitsAlone() {
        final ReplicaFixture alone = new ReplicaFixture(1, new int[0], ReplicaSettings.defaults());
        alone.tickAtMs(150);
        assertEquals(Role.LEADER, alone.replica.role());
        assertEquals(1, alone.replica.epoch());
        assertEquals(1, alone.replica.clusterSize());
        assertTrue(alone.sent.isEmpty());
        alone.append("solo", 1);
        alone.replica.flush();
        alone.fsync();
        assertEquals(List.of("stored 2"), alone.answers);
        assertEquals(2, alone.replica.commitId());
    }

    @Test
    void nodeIdsArePositiveAndDistinct() {
        final ReplicaStorage disk = new SimDisk(1, null, () -> { });
        final PeerTransport nowhere = (to, message) -> { };
        final ReplicaSettings settings = ReplicaSettings.defaults();
        for (final int[] ids : new int[][] {{0, 2, 3}, {1, 1, 3}, {1, 2, 0}}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Replica(ids[0],
                new int[] {ids[1], ids[2]}, disk, nowhere, () -> 0L, new Random(), settings, ReplicaEvents.NONE));
            assertTrue(e.getMessage().startsWith("node ids must be positive and differ from each other"),
                e.getMessage());
        }
        assertEquals(7, new Replica(7, new int[] {2, 3}, disk, nowhere, () -> 0L, new Random(), settings,
            ReplicaEvents.NONE).id());
    }

    /** Fixed roles allow a heartbeat up to their suspect-after (no elections); elected nodes need at most half. */
    @Test
    void aHeartbeatAboveHalfTheElectionTimeoutIsRefusedOnlyWhereNodesAreElected() {
        final ReplicaStorage disk = new SimDisk(1, null, () -> { });
        final PeerTransport nowhere = (to, message) -> { };
        final ReplicaSettings slowHeartbeat = new ReplicaSettings(1_000, 2_000, 1_000, 1024, 100);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Replica(1,
            new int[] {2, 3}, disk, nowhere, () -> 0L, new Random(), slowHeartbeat, ReplicaEvents.NONE));
        assertTrue(e.getMessage().startsWith("heartbeat 1000 ms must be positive and at most half"), e.getMessage());
        assertEquals(2, new Replica(2, new int[] {1, 3}, disk, nowhere, () -> 0L, new Random(), slowHeartbeat,
            ReplicaEvents.NONE, Leadership.staticLeader(1, 1_000), BrokenRule.NONE).id());
    }

    // ---------------------------------------------------------------- the voter's side

    @Test
    void aVoterGrantsOneCandidatePerEpochAndSavesTheEpochWithTheVote() {
        node.replica.receive(2, new VoteRequest(1, 0, 0, false));
        assertEquals(new VoteReply(1, true, false), node.lastTo(2, VoteReply.class));
        assertEquals(1, node.replica.epoch());
        assertEquals(List.of("1:2"), node.storage.votesSaved, "the new epoch and the vote in one save");
        assertEquals(List.of("voted for 2 in 1: its log is at least as up to date"), node.events);
        node.replica.receive(3, new VoteRequest(1, 0, 0, false));
        assertEquals(new VoteReply(1, false, false), node.lastTo(3, VoteReply.class));
        assertEquals("refused 3 in 1: already voted for node 2 in this epoch", node.events.get(1));
        assertEquals(List.of("1:2"), node.storage.votesSaved, "a refusal saves nothing new");
        node.replica.receive(2, new VoteRequest(1, 0, 0, false));
        assertEquals(new VoteReply(1, true, false), node.lastTo(2, VoteReply.class), "the same candidate asks again");
    }

    @Test
    void aGrantedVotePutsOffTheVotersOwnElection() {
        node.replica.receive(2, new ReplicateReply(1, false, 0, 0, 0, 0)); // epoch 1, timer from 0 ms
        node.atMs(100);
        node.replica.receive(2, new VoteRequest(1, 0, 0, false));
        node.clearSent();
        node.tickAtMs(249.999);
        assertTrue(node.sent.isEmpty(), node.sent.toString());
        node.tickAtMs(250);
        assertEquals(new VoteRequest(2, 0, 0, true), node.lastTo(2, VoteRequest.class));
    }

    @Test
    void aRestartedVoterRemembersItsEpochAndVote() {
        node.replica.receive(2, new VoteRequest(1, 0, 0, false));
        node.start();
        assertEquals(1, node.replica.epoch());
        node.replica.receive(3, new VoteRequest(1, 0, 0, false));
        assertEquals(new VoteReply(1, false, false), node.lastTo(3, VoteReply.class));
    }

    /** Node 1 follows master 3 of epoch 2 and holds two entries of it. */
    private void holdTwoEntriesOfEpoch2() {
        node.replica.receive(3, new Replicate(2, 0, 0, List.of(entry(2, "a"), entry(2, "b")), 0));
        assertEquals(2, node.storage.lastId());
        node.clearSent();
        node.events.clear();
    }

    @Test
    void aVoterRefusesACandidateWhoseLogIsBehindItsOwn() {
        holdTwoEntriesOfEpoch2();
        node.replica.receive(2, new VoteRequest(3, 1, 5, false));
        assertEquals(new VoteReply(3, false, false), node.lastTo(2, VoteReply.class), "a longer log of an older epoch");
        assertEquals("refused 2 in 3: its log (last epoch 1, msg_id 5) is behind this one's (epoch 2, msg_id 2)",
            node.events.get(node.events.size() - 1));
        node.replica.receive(2, new VoteRequest(3, 2, 1, false));
        assertEquals(new VoteReply(3, false, false), node.lastTo(2, VoteReply.class), "shorter, same epoch");
        node.replica.receive(2, new VoteRequest(3, 2, 2, false));
        assertEquals(new VoteReply(3, true, false), node.lastTo(2, VoteReply.class), "as long, same epoch");
        // the epoch adopted from the first request is saved with its answer, once; then the vote
        assertEquals(List.of("2:0", "3:0", "3:2"), node.storage.votesSaved);
        node.replica.receive(3, new VoteRequest(4, 3, 0, false));
        assertEquals(new VoteReply(4, true, false), node.lastTo(3, VoteReply.class), "a newer epoch, however short");
    }

    @Test
    void aVoteRequestOfAnOlderEpochIsRefusedWithTheVotersEpoch() {
        holdTwoEntriesOfEpoch2();
        node.replica.receive(2, new VoteRequest(1, 2, 2, false));
        assertEquals(new VoteReply(2, false, false), node.lastTo(2, VoteReply.class));
        assertEquals(List.of("2:0"), node.storage.votesSaved);
        assertTrue(node.events.isEmpty(), node.events.toString());
    }

    @Test
    void aPreVoteIsGrantedForTheNextEpochAndAnUpToDateLogWithoutChangingAnything() {
        node.replica.receive(2, PRE_VOTE_FOR_EPOCH_1);
        assertEquals(new VoteReply(1, true, true), node.lastTo(2, VoteReply.class));
        assertEquals(0, node.replica.epoch());
        assertTrue(node.storage.votesSaved.isEmpty());
        node.replica.receive(2, new VoteRequest(0, 0, 0, true));
        assertEquals(new VoteReply(0, false, true), node.lastTo(2, VoteReply.class), "not above its own epoch");
        node.replica.receive(3, new VoteRequest(1, 0, 0, false));
        assertEquals(new VoteReply(1, true, false), node.lastTo(3, VoteReply.class), "its vote is still free");

        holdTwoEntriesOfEpoch2();
        node.atMs(10_000);
        node.replica.receive(2, new VoteRequest(3, 1, 9, true));
        assertEquals(new VoteReply(2, false, true), node.lastTo(2, VoteReply.class), "a log behind its own");
    }

    @Test
    void aPreVoteIsRefusedWhileTheMasterWasHeardWithinTheShortestElectionTimeout() {
        node.atMs(1000);
        node.replica.receive(3, new Replicate(0, 0, 0, List.of(), 0));
        node.atMs(1149.999);
        node.replica.receive(2, PRE_VOTE_FOR_EPOCH_1);
        assertEquals(new VoteReply(0, false, true), node.lastTo(2, VoteReply.class));
        node.atMs(1150);
        node.replica.receive(2, PRE_VOTE_FOR_EPOCH_1);
        assertEquals(new VoteReply(1, true, true), node.lastTo(2, VoteReply.class));

        // a master refuses them outright
        final ReplicaFixture master = new ReplicaFixture();
        master.becomeMaster();
        master.now += 10_000 * ReplicaFixture.MS;
        master.replica.receive(2, new VoteRequest(2, 1, 1, true));
        assertEquals(new VoteReply(1, false, true), master.lastTo(2, VoteReply.class));
        assertEquals(Role.LEADER, master.replica.role());
    }

    @Test
    void aPreVoteWithoutAKnownMasterIsGrantedHoweverRecentTheLastContact() {
        node.atMs(1000);
        node.replica.receive(3, new Replicate(0, 0, 0, List.of(), 0));
        node.replica.receive(2, new VoteRequest(1, 0, 0, false)); // epoch 1: master of epoch 0 no longer counts
        node.atMs(1001);
        node.replica.receive(2, new VoteRequest(2, 0, 0, true));
        assertEquals(new VoteReply(2, true, true), node.lastTo(2, VoteReply.class));
    }

    // ---------------------------------------------------------------- fencing by epoch

    @Test
    void aGrantedPreVoteOfAHigherEpochChangesNothingButARefusalTeachesTheEpoch() {
        node.tickAtMs(150);
        node.replica.receive(2, new VoteRequest(7, 0, 0, true));
        assertEquals(0, node.replica.epoch(), "a pre-vote request is tentative");
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults());
        five.tickAtMs(150);
        five.replica.receive(2, new VoteReply(1, true, true));
        assertEquals(0, five.replica.epoch(), "a granted pre-vote is tentative");
        five.replica.receive(3, new VoteReply(6, false, true));
        assertEquals(6, five.replica.epoch(), "the refusal carries the voter's epoch");
        assertEquals(List.of("6:0"), five.storage.votesSaved);
        five.replica.receive(4, new VoteReply(7, true, true));
        five.replica.receive(5, new VoteReply(7, true, true));
        assertEquals(Role.FOLLOWER, five.replica.role(), "it stopped asking when it learnt the epoch");
    }

    @Test
    void aMasterThatHearsOfAHigherEpochStepsDownAndFailsWhatWaits() {
        node.becomeMaster();
        node.append("x", 2);
        node.replica.receive(2, new ReplicateReply(5, false, 0, 0, 0, 0));
        assertEquals(Role.FOLLOWER, node.replica.role());
        assertEquals(5, node.replica.epoch());
        assertEquals(Replica.NOBODY, node.replica.masterId());
        assertEquals("5:0", node.storage.votesSaved.get(node.storage.votesSaved.size() - 1));
        assertEquals(List.of("failed NOT_MASTER (master 0): not the master any more: node 2 is in epoch 5"),
            node.answers);
        assertEquals(List.of("FOLLOWER epoch 5 master 0: node 2 is in epoch 5"), node.events);
        assertEquals(0, node.replica.waitingAppends());
    }

    @Test
    void aFollowerThatHearsFromTheMasterOfAHigherEpochFollowsIt() {
        node.replica.receive(3, new Replicate(4, 0, 0, List.of(), 0));
        assertEquals(4, node.replica.epoch());
        assertEquals(3, node.replica.masterId());
        assertEquals(List.of("4:0"), node.storage.votesSaved);
        assertEquals(List.of("FOLLOWER epoch 4 master 3: node 3 is in epoch 4"), node.events);
    }

    @Test
    void aCandidateOutvotedInItsEpochFollowsTheWinner() {
        node.tickAtMs(150);
        node.replica.receive(2, new VoteReply(1, true, true));
        assertEquals(Role.CANDIDATE, node.replica.role());
        node.replica.receive(3, new Replicate(1, 0, 0, List.of(), 0));
        assertEquals(Role.FOLLOWER, node.replica.role());
        assertEquals(3, node.replica.masterId());
        assertEquals("FOLLOWER epoch 1 master 3: node 3 won the election", node.events.get(node.events.size() - 1));
    }

    @Test
    void aNodeThatLearnsAHigherEpochWithoutAMasterSaysSoOnlyIfItWasMoreThanAFollower() {
        node.replica.receive(2, new ReplicateReply(3, false, 0, 0, 0, 0));
        assertEquals(3, node.replica.epoch());
        assertTrue(node.events.isEmpty(), "a follower that knew no master is still one: " + node.events);
    }
}
