package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.Replicate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.replog.node.consensus.ReplicaFixture.MS;
import static io.replog.node.consensus.ReplicaFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a master holds is bounded whatever the traffic: an append answered TIMEOUT leaves the waiting appends at
 * once (it no longer counts toward the bound), and the table of tags keeps only the storage's window of msg_ids.
 */
class ReplicaBoundsTest {
    /** Nothing was fsynced in these tests: not even the master's own copy counts yet. */
    private static final String TIMED_OUT = "failed TIMEOUT (master 1): Got only 0 ACKs (required 3)";

    private void appendTimed(final ReplicaFixture node, final String text, final int w, final long timeoutMs) {
        node.replica.append(bytes(text), w, 0, 0, timeoutMs * MS, node.callback());
    }

    @Test
    void appendsPastTheirTimeoutAreAnsweredAtATickAndNoLongerCountTowardTheBound() {
        final ReplicaFixture node = new ReplicaFixture(1, new int[] {2, 3}, new ReplicaSettings(150, 300, 50, 1024,
            3));
        node.becomeMaster();
        final long start = node.now;
        appendTimed(node, "a", 3, 100);
        node.now += 40 * MS;
        appendTimed(node, "b", 3, 100);
        appendTimed(node, "c", 3, 100);
        assertEquals(3, node.replica.waitingAppends());
        appendTimed(node, "refused", 2, 100); // w=1 is never refused for this: it waits for no peer
        assertTrue(node.answers.get(0).startsWith("failed OVERLOADED"), node.answers.toString());
        node.answers.clear();

        node.now = start + 99 * MS;
        node.tick();
        assertEquals(List.of(), node.answers, "not yet");
        node.now = start + 100 * MS;
        node.tick();
        assertEquals(List.of(TIMED_OUT), node.answers, "a's 100 ms are up, not b's and c's");
        assertEquals(2, node.replica.waitingAppends());
        node.now = start + 140 * MS;
        node.tick();
        assertEquals(List.of(TIMED_OUT, TIMED_OUT, TIMED_OUT), node.answers);
        assertEquals(0, node.replica.waitingAppends(), "answered: no longer waiting");
        node.answers.clear();

        // a peer down keeps w=3 out of reach; what timed out no longer takes the place of a w=1 or w=2 append
        node.replica.append(bytes("w1"), 1, 0, 0, node.callback());
        node.replica.append(bytes("w2"), 2, 0, 0, node.callback());
        node.replica.flush();
        node.fsync();
        final long lastId = node.storage.lastId();
        node.accepted(2, lastId, lastId);
        assertEquals(List.of("stored " + (lastId - 1), "stored " + lastId), node.answers);
        assertEquals(0, node.replica.waitingAppends());
        node.accepted(3, lastId, lastId);
        assertEquals(2, node.answers.size(), "what timed out is not answered again when its w is met after all");
    }

    @Test
    void anAppendWithoutTimeoutWaitsUntilItsWOrTheMasterStepsDown() {
        final ReplicaFixture node = new ReplicaFixture();
        node.becomeMaster();
        node.append("x", 3);
        node.now += 10_000 * MS;
        node.accepted(2, 1, 1); // heard from a majority: it stays master
        node.tick();
        assertEquals(List.of(), node.answers);
        assertEquals(1, node.replica.waitingAppends());
    }

    @Test
    void aTagSentAgainWithATimeoutTimesOutLikeAnyAppend() {
        final ReplicaFixture node = new ReplicaFixture();
        node.becomeMaster();
        node.appendTagged("a", 3, 7, 1);
        node.replica.append(bytes("a"), 3, 7, 1, 100 * MS, node.callback());
        assertEquals(2, node.replica.waitingAppends());
        node.now += 100 * MS;
        node.tick();
        assertEquals(List.of(TIMED_OUT), node.answers);
        assertEquals(1, node.replica.waitingAppends(), "the first one has no timeout");
    }

    @Test
    void anAppendWhoseClientLeftIsAnsweredWithinASecondAndFreesItsPlace() {
        final ReplicaFixture node = new ReplicaFixture(1, new int[] {2, 3}, new ReplicaSettings(150, 300, 50, 1024,
            1));
        node.becomeMaster();
        final boolean[] left = new boolean[1];
        node.replica.append(bytes("a"), 3, 0, 0, new AppendCallback() {
            @Override
            public void stored(final long msgId) {
                node.answers.add("stored " + msgId);
            }

            @Override
            public void failed(final short code, final String why, final int masterId) {
                node.answers.add("failed " + why);
            }

            @Override
            public boolean abandoned() {
                return left[0];
            }
        });
        node.tick();
        assertEquals(1, node.replica.waitingAppends(), "its client is still there");
        left[0] = true;
        final long start = node.now;
        while (node.answers.isEmpty() && node.now - start < 2_000 * MS) {
            node.now += 10 * MS;
            node.accepted(2, 1, 1); // heard from: it stays master
            node.tick();
        }
        assertTrue(node.now - start <= 1_000 * MS, "answered after " + (node.now - start) / MS + " ms");
        assertEquals(List.of("failed the client closed its connection before w=3 was met; the message stays in the "
            + "log"), node.answers);
        assertEquals(0, node.replica.waitingAppends());
        node.append("b", 1);
        assertEquals(1, node.replica.waitingAppends(), "its place is free");
    }

    @Test
    void theMastersTagsStayWithinTheStoragesWindowAndAnOlderTagIsStoredAgain() {
        final ReplicaFixture node = new ReplicaFixture();
        node.storage.disk.tagsKept(8);
        node.start();
        node.becomeMaster(); // msg_id 1: its epoch's first entry
        for (long seq = 1; seq <= 24; seq++) {
            node.appendTagged("m" + seq, 1, 7, seq);
            assertTrue(node.replica.tagsHeld() <= 8, "after seq " + seq + ": " + node.replica.tagsHeld());
        }
        assertEquals(25, node.storage.lastId());
        node.replica.flush();
        node.fsync();
        node.answers.clear();

        node.appendTagged("m24", 1, 7, 24);
        node.appendTagged("m17", 1, 7, 17); // msg_id 18: the oldest of the newest 8 (18..25)
        assertEquals(List.of("stored 25", "stored 18"), node.answers, "within the window: recognised");
        assertEquals(25, node.storage.lastId(), "nothing stored");
        node.appendTagged("m16", 1, 7, 16);
        assertEquals(26, node.storage.lastId(), "seq 16 (msg_id 17) is just out of the window: stored again");
        node.appendTagged("other bytes", 1, 7, 2);
        assertEquals(27, node.storage.lastId(), "an old tag is not checked against its old bytes either");
        assertTrue(node.replica.tagsHeld() <= 8);
        node.appendTagged("m16", 1, 7, 16);
        assertEquals(27, node.storage.lastId(), "and it is recognised anew");
    }

    @Test
    void aNewMasterLearnsOnlyTheTagsOfTheStoragesWindow() {
        final ReplicaFixture node = new ReplicaFixture();
        node.storage.disk.tagsKept(4);
        node.start();
        final List<PeerEntry> entries = new ArrayList<>();
        for (long seq = 1; seq <= 10; seq++) {
            entries.add(PeerEntry.message(1, bytes("m" + seq), 7, seq));
        }
        node.replica.receive(2, new Replicate(1, 0, 0, entries, 0));
        node.fsync();
        node.becomeMaster(); // its epoch's entry is msg_id 11: the window is 8..11
        assertEquals(3, node.replica.tagsHeld(), "seq 8, 9 and 10");
        node.appendTagged("m10", 1, 7, 10);
        assertEquals(11, node.storage.lastId(), "held: not stored again");
        node.appendTagged("m7", 1, 7, 7);
        assertEquals(12, node.storage.lastId(), "seq 7 is msg_id 7, out of the window: stored again");
    }
}
