package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.TailReply;
import io.replog.node.consensus.PeerMessage.TailRequest;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.node.consensus.Replica.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.replog.node.consensus.ReplicaFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A static leader (fixed roles) step by step: the master's new epoch, taking back its lost tail by the up-to-date
 * rule before it takes appends, whom it waits for, read-only without a quorum and back, secondaries that never
 * campaign and answer where their logs end, and the read policy of each configuration.
 */
class ReplicaStaticTest {
    private static final long COLLECT_WAIT_MS = 100;
    private static final Leadership NODE_1_LEADS = Leadership.staticLeader(1, COLLECT_WAIT_MS);

    private final ReplicaFixture master = new ReplicaFixture(1, new int[] {2, 3}, ReplicaSettings.defaults(),
        NODE_1_LEADS);

    private static String text(final PeerEntry entry) {
        return entry.epochStart() ? entry.epoch() + ":start" : entry.epoch() + ":" + new String(entry.payload(),
            java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String log(final ReplicaFixture node) {
        return node.storage.disk.entries().stream().map(ReplicaStaticTest::text).toList().toString();
    }

    /** The master's disk before it starts: {@code entries}, fsynced, written in epochs up to {@code savedEpoch}. */
    private void masterHeld(final long savedEpoch, final PeerEntry... entries) {
        for (final PeerEntry entry : entries) {
            master.storage.disk.append(entry);
        }
        master.storage.disk.fsync();
        master.storage.disk.saveVote(savedEpoch, 1);
        master.start();
    }

    /** A secondary's answer to the question about prevId: its log ends at (lastEpoch, lastId). */
    private void reports(final int from, final long lastEpoch, final long lastId, final long prevId,
                         final boolean matched, final PeerEntry... entries) {
        master.replica.receive(from, new TailReply(master.replica.epoch(), lastEpoch, lastId, prevId, matched,
            List.of(entries)));
    }

    @Test
    void theMasterEntersANewEpochSavedBeforeItAsksWhereEachSecondarysLogEnds() {
        masterHeld(4, entry(4, "a"));
        assertEquals(Role.CANDIDATE, master.replica.role(), "it takes no appends before it collected the tail");
        assertEquals(1, master.replica.masterId(), "but it is the master, and says so");
        master.append("early", 1);
        assertEquals(List.of("failed READ_ONLY (master 1): the master is starting"), master.answers);

        master.tickAtMs(0);
        assertEquals(5, master.replica.epoch());
        assertEquals(List.of("5:1"), master.storage.votesSaved, "the new epoch is durable before anyone hears of it");
        assertEquals(new TailRequest(5, 1, 4, false), master.lastTo(2, TailRequest.class));
        assertEquals(new TailRequest(5, 1, 4, false), master.lastTo(3, TailRequest.class));
        master.append("still early", 1);
        assertTrue(master.answers.get(1).startsWith("failed READ_ONLY (master 1): no quorum: the master is taking "
            + "back the tail it may have lost and has heard from 1 of 3 nodes (needs 2)"), master.answers.get(1));
        assertEquals(1, master.storage.lastId(), "nothing written");
    }

    /**
     * TakeBack's promise, kept by the engine: c was acknowledged with w=2 by the two secondaries while the master had
     * not fsynced it; the master's machine crashed and lost it; on restart it takes c (and d) back from the most
     * up-to-date secondary before its epoch's first entry.
     */
    @Test
    void itTakesBackTheTailTheMostUpToDateSecondaryHoldsBeforeItLeads() {
        masterHeld(1, entry(1, "a"), entry(1, "b"));
        master.tickAtMs(0);
        master.clearSent();
        reports(3, 1, 3, 2, true);
        assertEquals(new TailRequest(2, 2, 1, true), master.lastTo(3, TailRequest.class),
            "a majority answered: it fetches from the most up-to-date log heard of");
        reports(2, 1, 4, 2, true);
        assertEquals(new TailRequest(2, 2, 1, true), master.lastTo(2, TailRequest.class),
            "node 2 holds more than node 3: fetches from node 2 instead");
        reports(2, 1, 4, 2, true, entry(1, "c"), entry(1, "d"));
        assertEquals(Role.LEADER, master.replica.role(), master.events.toString());
        assertEquals("[1:a, 1:b, 1:c, 1:d, 2:start]", log(master));
        assertEquals("LEADER epoch 2 master 1: took back msg_ids 3..4 from node 2; heard from 3 of 3 nodes",
            master.events.get(master.events.size() - 1));
        assertNull(master.replica.readOnlyReason());
        assertEquals(4, master.lastTo(2, Replicate.class).prevId(), "then replicates its epoch's first entry");
    }

    @Test
    void itCutsItsOwnSuffixWhereAMoreUpToDateSecondaryHoldsALaterEpoch() {
        masterHeld(2, entry(1, "a"), entry(1, "b"), entry(1, "x"));
        master.tickAtMs(0);
        master.clearSent();
        reports(2, 2, 4, 3, false);
        assertEquals(new TailRequest(3, 3, 1, true), master.lastTo(2, TailRequest.class));
        reports(2, 2, 4, 3, false);
        assertEquals(new TailRequest(3, 0, 0, true), master.lastTo(2, TailRequest.class),
            "refused at msg_id 3: back before its epoch 1 there");
        reports(2, 2, 4, 0, true, entry(1, "a"), entry(1, "b"), PeerEntry.epochStart(2), entry(2, "c"));
        assertTrue(master.events.contains("truncated after 2 of 3"), master.events.toString());
        assertEquals(Role.CANDIDATE, master.replica.role(), "node 3 may still answer within the wait");
        master.tickAtMs(COLLECT_WAIT_MS);
        assertEquals(Role.LEADER, master.replica.role());
        assertEquals("[1:a, 1:b, 2:start, 2:c, 3:start]", log(master));
    }

    @Test
    void itWaitsForAMajorityWithoutLimitAndForTheOthersOnlyUpToTheCollectWait() {
        final ReplicaFixture five = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        five.tickAtMs(0);
        five.replica.receive(2, new TailReply(1, 0, 0, 0, true, List.of()));
        five.tickAtMs(10_000);
        assertEquals(Role.CANDIDATE, five.replica.role(), "2 of 5 nodes: it cannot know it has every w=3 append");
        assertTrue(five.replica.readOnlyReason().contains("heard from 2 of 5 nodes (needs 3)"),
            five.replica.readOnlyReason());
        assertEquals(new TailRequest(1, 0, 0, false), five.lastTo(5, TailRequest.class), "and keeps asking");
        assertTrue(five.sentTo(2).size() == 1, "but not who answered: " + five.sentTo(2));

        // a master that led this log before (epoch 1 saved): a minority may hold an entry it lost
        final ReplicaFixture again = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        again.storage.disk.saveVote(1, 1);
        again.start();
        again.tickAtMs(0);
        again.replica.receive(2, new TailReply(2, 0, 0, 0, true, List.of()));
        again.atMs(50);
        again.replica.receive(3, new TailReply(2, 0, 0, 0, true, List.of()));
        again.tickAtMs(99);
        assertEquals(Role.CANDIDATE, again.replica.role(), "a majority: it waits for nodes 4 and 5 a while");
        again.tickAtMs(COLLECT_WAIT_MS);
        assertEquals(Role.LEADER, again.replica.role());
        assertTrue(again.events.get(again.events.size() - 1).endsWith("heard from 3 of 5 nodes"),
            again.events.toString());
    }

    /**
     * A new log (the master's first epoch, nothing in it): no secondary can hold an entry of it, so the master takes
     * appends once a quorum answered, without waiting for the others, as fixed roles' master did at its first start.
     */
    @Test
    void inTheFirstEpochOfANewLogItLeadsOnceAQuorumAnsweredWithoutWaitingForTheOthers() {
        final ReplicaFixture fresh = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        fresh.tickAtMs(0);
        fresh.replica.receive(2, new TailReply(1, 0, 0, 0, true, List.of()));
        fresh.tickAtMs(10);
        assertEquals(Role.CANDIDATE, fresh.replica.role(), "2 of 5: no quorum yet");
        fresh.replica.receive(3, new TailReply(1, 0, 0, 0, true, List.of()));
        fresh.tickAtMs(20);
        assertEquals(Role.LEADER, fresh.replica.role(), "a quorum answered; nodes 4 and 5 cannot hold anything");
    }

    /**
     * The most up-to-date secondary stops answering while the master fetches from it (its disk failed, it crashed):
     * past the collect wait the master forgets its report and goes on with what the others said, as fixed roles'
     * take-back gave up on an unreachable secondary, instead of staying read-only for ever.
     */
    @Test
    void aFetchSourceThatFallsSilentIsForgottenAfterTheCollectWait() {
        masterHeld(1, entry(1, "a"));
        master.tickAtMs(0);
        reports(3, 1, 1, 1, true);
        reports(2, 1, 3, 1, true);
        assertEquals(new TailRequest(2, 1, 1, true), master.lastTo(2, TailRequest.class), "fetches from node 2");
        master.tickAtMs(COLLECT_WAIT_MS - 1);
        assertEquals(Role.CANDIDATE, master.replica.role(), "node 2 may still answer");
        master.tickAtMs(COLLECT_WAIT_MS);
        assertEquals(Role.LEADER, master.replica.role(), master.events.toString());
        assertEquals("[1:a, 2:start]", log(master));
        assertTrue(master.events.get(master.events.size() - 1).endsWith("heard from 2 of 3 nodes"),
            master.events.toString());
    }

    /**
     * Fixed roles' {@code --quorum}: with a quorum of 2 of 5 the master starts and takes appends once one secondary
     * answered (nodes 3..5 only for up to the collect wait), and turns read-only only when it hears from nobody; a
     * quorum of all 3 nodes makes it read-only when one is silent.
     */
    @Test
    void aConfiguredQuorumReplacesTheMajorityInTheStaticMastersRules() {
        final ReplicaFixture two = new ReplicaFixture(1, new int[] {2, 3, 4, 5}, ReplicaSettings.defaults(),
            Leadership.staticLeader(1, COLLECT_WAIT_MS, 2));
        two.tickAtMs(0);
        two.replica.receive(2, new TailReply(1, 0, 0, 0, true, List.of()));
        two.tickAtMs(COLLECT_WAIT_MS);
        assertEquals(Role.LEADER, two.replica.role(), "2 of 5 is its quorum");
        assertTrue(two.events.get(two.events.size() - 1).endsWith("heard from 2 of 5 nodes"), two.events.toString());
        two.atMs(COLLECT_WAIT_MS + 300);
        two.accepted(2, 1, 1);
        two.tickAtMs(COLLECT_WAIT_MS + 350);
        assertNull(two.replica.readOnlyReason(), "past the window, node 2 answers and 3..5 are silent: 2 of 5 is "
            + "enough");
        assertEquals(Role.LEADER, two.replica.role());

        final ReplicaFixture all = new ReplicaFixture(1, new int[] {2, 3}, ReplicaSettings.defaults(),
            Leadership.staticLeader(1, COLLECT_WAIT_MS, 3));
        all.tickAtMs(0);
        all.replica.receive(2, new TailReply(1, 0, 0, 0, true, List.of()));
        all.tickAtMs(10_000);
        assertEquals(Role.CANDIDATE, all.replica.role(), "2 of 3 answered, 3 needed");
        assertTrue(all.replica.readOnlyReason().contains("heard from 2 of 3 nodes (needs 3)"),
            all.replica.readOnlyReason());
        all.replica.receive(3, new TailReply(1, 0, 0, 0, true, List.of()));
        assertEquals(Role.LEADER, all.replica.role());
        all.atMs(10_200);
        all.accepted(2, 1, 1);
        all.tickAtMs(10_301);
        assertEquals("no quorum (2 of 3 nodes up, 3 needed)",
            all.replica.readOnlyReason(), "node 3 silent since 10 000 ms");
        assertThrows(IllegalArgumentException.class, () -> new ReplicaFixture(1, new int[] {2, 3},
            ReplicaSettings.defaults(), Leadership.staticLeader(1, COLLECT_WAIT_MS, 4)));
    }

    /** Leads in epoch 1 over an empty log, both secondaries having answered at 0 ms. */
    private void leading() {
        master.tickAtMs(0);
        reports(2, 0, 0, 0, true);
        reports(3, 0, 0, 0, true);
        assertEquals(Role.LEADER, master.replica.role());
        master.fsync();
        master.clearSent();
        master.events.clear();
    }

    @Test
    void withoutAQuorumItStaysMasterReadOnlyAndTakesAppendsAgainWhenAMajorityAnswers() {
        leading();
        master.tickAtMs(300);
        assertNull(master.replica.readOnlyReason(), "it heard from both 300 ms ago: still within the window");
        master.tickAtMs(301);
        assertEquals(Role.LEADER, master.replica.role(), "a static master never steps down");
        assertEquals(1, master.replica.epoch());
        assertEquals("no quorum (1 of 3 nodes up, 2 needed)", master.replica.readOnlyReason());
        assertEquals(List.of("read-only: no quorum (1 of 3 nodes up, 2 needed)"),
            master.events);
        master.append("refused", 1);
        assertEquals(List.of("failed READ_ONLY (master 1): no quorum (1 of 3 nodes up, 2 needed)"), master.answers);
        assertEquals(1, master.storage.lastId(), "nothing written");
        master.tickAtMs(350);
        assertEquals(1, master.lastTo(2, Replicate.class).prevId(), "it keeps sending heartbeats");

        master.accepted(2, 1, 1);
        assertNull(master.replica.readOnlyReason(), "node 2 answered: 2 of 3");
        assertTrue(master.events.contains("writable"), master.events.toString());
        master.append("taken", 1);
        master.replica.flush();
        master.fsync();
        assertEquals("stored 2", master.answers.get(master.answers.size() - 1));
    }

    @Test
    void aSecondaryNeverCampaignsEvenAfterALongSilenceNorVotes() {
        final ReplicaFixture secondary = new ReplicaFixture(2, new int[] {1, 3}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        assertEquals(1, secondary.replica.masterId(), "it knows its master by configuration");
        for (int s = 1; s <= 60; s++) {
            secondary.tickAtMs(s * 1000);
        }
        assertTrue(secondary.sent.isEmpty(), secondary.sent.toString());
        assertEquals(Role.FOLLOWER, secondary.replica.role());
        secondary.replica.receive(3, new VoteRequest(5, 0, 0, false));
        secondary.replica.receive(3, new VoteRequest(5, 0, 0, true));
        assertTrue(secondary.sent.isEmpty(), "no vote under a static leader: " + secondary.sent);
        assertEquals(0, secondary.replica.epoch(), "a vote request's epoch is not adopted either");
        secondary.append("x", 1);
        assertEquals(List.of("failed NOT_MASTER (master 1): not the master; node 1 is"), secondary.answers);
    }

    @Test
    void aSecondaryAdoptsTheMastersNewEpochDurablyAndSaysWhereItsLogEnds() {
        final ReplicaFixture secondary = new ReplicaFixture(2, new int[] {1, 3}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        secondary.replica.receive(1, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 0));
        secondary.clearSent();
        secondary.replica.receive(1, new TailRequest(2, 1, 1, false));
        assertEquals(List.of("1:0", "2:0"), secondary.storage.votesSaved, "epoch 2 saved before it answers");
        assertEquals(new TailReply(2, 1, 2, 1, true, List.of()), secondary.lastTo(1, TailReply.class));
        secondary.replica.receive(1, new TailRequest(2, 1, 1, true));
        final TailReply withEntries = secondary.lastTo(1, TailReply.class);
        assertEquals("[1:b]", withEntries.entries().stream().map(ReplicaStaticTest::text).toList().toString());
        secondary.replica.receive(1, new TailRequest(2, 2, 7, true));
        assertEquals(new TailReply(2, 1, 2, 2, false, List.of()), secondary.lastTo(1, TailReply.class));
        assertEquals(2, secondary.storage.lastId(), "a question cuts nothing");

        secondary.replica.receive(1, new Replicate(1, 2, 1, List.of(entry(1, "late")), 0));
        assertEquals(new ReplicateReply(2, false, 0, 0, 0, 0), secondary.lastTo(1, ReplicateReply.class),
            "the master's earlier epoch is fenced");
        secondary.replica.receive(1, new TailRequest(1, 2, 1, true));
        assertEquals(new TailReply(2, 1, 2, 2, false, List.of()), secondary.lastTo(1, TailReply.class));
        assertEquals(2, secondary.storage.lastId());
    }

    @Test
    void aMasterThatHearsOfALaterEpochEntersOneAboveIt() {
        master.tickAtMs(0);
        master.clearSent();
        master.replica.receive(2, new TailReply(7, 0, 0, 0, false, List.of()));
        assertEquals(8, master.replica.epoch());
        assertEquals(List.of("1:1", "8:1"), master.storage.votesSaved);
        assertEquals(new TailRequest(8, 0, 0, false), master.lastTo(3, TailRequest.class));
        assertEquals(Role.CANDIDATE, master.replica.role());
    }

    @Test
    void readersSeeWhatTheNodeHoldsDurablyUnderAStaticLeaderAndTheCommittedPrefixWhenElected() {
        final ReplicaFixture fixed = new ReplicaFixture(2, new int[] {1, 3}, ReplicaSettings.defaults(),
            NODE_1_LEADS);
        final ReplicaFixture failover = new ReplicaFixture(2, new int[] {1, 3}, ReplicaSettings.defaults());
        for (final ReplicaFixture node : List.of(fixed, failover)) {
            node.replica.receive(1, new Replicate(1, 0, 0, List.of(entry(1, "a"), entry(1, "b")), 1));
            node.fsync();
        }
        assertEquals(2, fixed.replica.readableId(), "held durably, not yet known committed");
        assertEquals(1, failover.replica.readableId(), "the commit point the master sent");
    }
}
