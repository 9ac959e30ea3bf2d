package io.replog.node.consensus;

import io.replog.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
