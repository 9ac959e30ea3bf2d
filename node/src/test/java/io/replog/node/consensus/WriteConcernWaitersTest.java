package io.replog.node.consensus;

import io.replog.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The appends a master holds until their w: answered in msg_id order per w, the ones sent again aside. */
class WriteConcernWaitersTest {
    private final List<String> answers = new ArrayList<>();
    private final WriteConcernWaiters waiters = new WriteConcernWaiters(3);

    private AppendCallback named(final String name) {
        return new AppendCallback() {
            @Override
            public void stored(final long msgId) {
                answers.add(name + " stored " + msgId);
            }

            @Override
            public void failed(final short code, final String why, final int masterId) {
                answers.add(name + " " + ErrorCode.name(code) + " " + masterId + " " + why);
            }
        };
    }

    @Test
    void eachWIsAnsweredUpToWhatItsNodesHoldAndNoFurther() {
        waiters.add(1, 4, named("a"));
        waiters.add(1, 5, named("b"));
        waiters.add(2, 6, named("c"));
        waiters.add(3, 7, named("d"));
        assertEquals(4, waiters.size());
        waiters.answer(1, 4);
        assertEquals(List.of("a stored 4"), answers, "4 is held by one node: b (5) is not");
        waiters.answer(2, 5);
        assertEquals(1, answers.size(), "each w its own queue");
        waiters.answer(1, 9);
        waiters.answer(2, 6);
        assertEquals(List.of("a stored 4", "b stored 5", "c stored 6"), answers);
        assertEquals(1, waiters.size());
    }

    @Test
    void anAppendSentAgainWaitsAsideForItsEarlierMsgIdWhereverItIs() {
        waiters.add(2, 10, named("new"));
        waiters.addResent(2, 3, named("again"));
        waiters.addResent(2, 8, named("later"));
        assertEquals(3, waiters.size());
        waiters.answer(2, 3);
        assertEquals(List.of("again stored 3"), answers, "not held back by msg_id 10 ahead of it");
        waiters.answer(2, 8);
        waiters.answer(2, 8);
        assertEquals(List.of("again stored 3", "later stored 8"), answers, "answered once");
        assertEquals(1, waiters.size());
    }

    @Test
    void failingAllAnswersEveryWaiterOnceAndLeavesNone() {
        waiters.add(1, 4, named("a"));
        waiters.add(3, 5, named("b"));
        waiters.addResent(3, 2, named("c"));
        waiters.failAll(ErrorCode.NOT_MASTER, "deposed", 2);
        assertEquals(List.of("a NOT_MASTER 2 deposed", "b NOT_MASTER 2 deposed", "c NOT_MASTER 2 deposed"), answers);
        assertEquals(0, waiters.size());
        waiters.answer(3, 100);
        waiters.failAll(ErrorCode.NOT_MASTER, "again", 0);
        assertEquals(3, answers.size());
    }

    @Test
    void anAppendPastItsDeadlineIsAnsweredTimeoutOnceAndLeavesTheCount() {
        waiters.add(3, 4, 500, 500, named("late"));
        waiters.add(3, 5, 200, 200, named("early"));
        waiters.add(3, 6, named("patient"));
        waiters.addResent(3, 2, 300, 300, named("again"));
        assertEquals(4, waiters.size());
        waiters.expire(199, 1, id -> 1);
        assertEquals(List.of(), answers, "no deadline reached yet");
        waiters.expire(300, 1, id -> 1);
        assertEquals(List.of(
            "early TIMEOUT 1 Got only 1 ACKs (required 3)",
            "again TIMEOUT 1 Got only 1 ACKs (required 3)"), answers,
            "deadlines in their own order, not msg_id order");
        assertEquals(2, waiters.size(), "counted out at once, though msg_id 5 sits behind 4 in its queue");
        waiters.answer(3, 5);
        assertEquals("late stored 4", answers.get(2));
        assertEquals(3, answers.size(), "early (5) and again (2) were answered already");
        waiters.expire(10_000, 1, id -> 1);
        assertEquals(3, answers.size(), "answered ones do not time out, and no deadline means none");
        assertEquals(1, waiters.size());
        waiters.answer(3, 6);
        assertEquals("patient stored 6", answers.get(3));
        assertEquals(0, waiters.size());
        assertEquals(0, waiters.held(), "nothing left behind");
    }

    @Test
    void theAnswerSaysHowManyCopiesTheMessageGotOfThoseItNeeded() {
        waiters.add(2, 1, 1_000 + 250_000_000L, 250_000_000L, named("a"));
        waiters.add(3, 2, 1_000 + 250_000_000L, 250_000_000L, named("b"));
        waiters.expire(1_000 + 250_000_000L, 3, id -> id == 2 ? 2 : 1);
        assertEquals(List.of("a TIMEOUT 3 Got only 1 ACKs (required 2)", "b TIMEOUT 3 Got only 2 ACKs (required 3)"),
            answers, "the README's words, in both modes");
    }

    @Test
    void deadlinesCompareAcrossTheClocksWrapAround() {
        final long now = Long.MAX_VALUE - 10;
        waiters.add(2, 1, now + 100, 100, named("after the wrap"));
        waiters.expire(now, 1, id -> 1);
        assertEquals(List.of(), answers);
        waiters.expire(now + 100, 1, id -> 1);
        assertEquals(1, answers.size());
    }

    @Test
    void expiredAndAnsweredWaitersAreNotHeldForeverWhateverTheTraffic() {
        // w=3 is never met (a peer is down) and every append times out: their queue must not grow with them
        long msgId = 0;
        for (int round = 0; round < 1_000; round++) {
            for (int i = 0; i < 10; i++) {
                waiters.add(3, ++msgId, round + (i % 3), 1, named("x"));
            }
            waiters.expire(round + 1, 1, id -> 1);
        }
        waiters.expire(Long.MAX_VALUE / 2, 1, id -> 1);
        assertEquals(0, waiters.size());
        assertTrue(waiters.held() <= 200, "held after 10,000 timed out appends: " + waiters.held());
        // w=1 answered long before their (long) deadlines: the deadline queue must not grow with them either
        for (int i = 0; i < 10_000; i++) {
            waiters.add(1, ++msgId, 1_000_000_000L, 1_000_000_000L, named("y"));
            waiters.answer(1, msgId);
        }
        assertEquals(0, waiters.size());
        assertTrue(waiters.held() <= 200, "held after 10,000 answered appends: " + waiters.held());
        assertEquals(20_000, answers.size());
    }

    @Test
    void anAppendWhoseClientLeftIsAnsweredAndLeavesEveryStructure() {
        final boolean[] left = new boolean[1];
        final AppendCallback leaving = new AppendCallback() {
            @Override
            public void stored(final long msgId) {
                answers.add("leaving stored " + msgId);
            }

            @Override
            public void failed(final short code, final String why, final int masterId) {
                answers.add("leaving " + ErrorCode.name(code) + " " + masterId + " " + why);
            }

            @Override
            public boolean abandoned() {
                return left[0];
            }
        };
        waiters.add(3, 4, named("stays"));
        waiters.add(3, 5, 1_000, 1_000, leaving);
        waiters.addResent(2, 1, named("aside"));
        assertEquals(0, waiters.dropAbandoned(1), "its client is still there");
        left[0] = true;
        assertEquals(1, waiters.dropAbandoned(1));
        assertEquals(List.of("leaving TIMEOUT 1 the client closed its connection before w=3 was met; the message "
            + "stays in the log"), answers);
        assertEquals(2, waiters.size());
        assertEquals(3, waiters.held(), "out of its w's queue at once; out of the deadline queue when reached");
        waiters.expire(1_000, 1, id -> 1);
        waiters.answer(3, 9);
        waiters.answer(2, 9);
        assertEquals(List.of(answers.get(0), "stays stored 4", "aside stored 1"), answers, "answered once");
        assertEquals(0, waiters.held());
    }

    @Test
    void failingAllSkipsWhatTimedOut() {
        waiters.add(3, 4, 10, 10, named("a"));
        waiters.add(3, 5, named("b"));
        waiters.expire(10, 1, id -> 1);
        waiters.failAll(ErrorCode.NOT_MASTER, "deposed", 2);
        assertEquals(List.of("a TIMEOUT 1 Got only 1 ACKs (required 3)",
            "b NOT_MASTER 2 deposed"), answers);
        assertEquals(0, waiters.size());
        assertEquals(0, waiters.held());
    }
}
