package io.replog.node.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's log index ↔ msg_id, on a log written as: mark of epoch 1, messages 1 and 2, mark of epoch 2 (which
 * wrote nothing), mark of epoch 3, message 3. Indexes: 1 mark, 2 msg 1, 3 msg 2, 4 mark, 5 mark, 6 msg 3.
 */
class IndexMapTest {
    private static final long[] MARKS = {1, 1, 2, 3, 3, 3};

    @Test
    void messagesAndMarksHaveTheIndexesTheyWereWrittenAt() {
        assertEquals(2, IndexMap.indexOfMessage(MARKS, 1));
        assertEquals(3, IndexMap.indexOfMessage(MARKS, 2));
        assertEquals(6, IndexMap.indexOfMessage(MARKS, 3));
        assertEquals(7, IndexMap.indexOfMessage(MARKS, 4));
        assertEquals(0, IndexMap.indexOfMessage(MARKS, 0));
        assertEquals(1, IndexMap.indexOfMark(MARKS, 0));
        assertEquals(4, IndexMap.indexOfMark(MARKS, 1));
        assertEquals(5, IndexMap.indexOfMark(MARKS, 2));
        assertEquals(6, IndexMap.lastIndex(MARKS, 3));
    }

    @Test
    void anIndexIsAMarkOrAMessageAndNamesTheMsgIdAtOrBelowIt() {
        final long[] msgIds = {0, 0, 1, 2, 2, 2, 3, 4};
        final int[] marks = {-1, 0, -1, -1, 1, 2, -1, -1};
        for (int index = 0; index < msgIds.length; index++) {
            assertEquals(msgIds[index], IndexMap.msgIdAt(MARKS, index), "msg_id at index " + index);
            assertEquals(marks[index], IndexMap.markAt(MARKS, index), "mark at index " + index);
        }
        for (long msgId = 1; msgId <= 4; msgId++) {
            assertEquals(msgId, IndexMap.msgIdAt(MARKS, IndexMap.indexOfMessage(MARKS, msgId)), "round trip");
        }
        assertEquals(4, IndexMap.nextMarkAfter(MARKS, 1));
        assertEquals(5, IndexMap.nextMarkAfter(MARKS, 4));
        assertEquals(Long.MAX_VALUE, IndexMap.nextMarkAfter(MARKS, 5));
    }

    @Test
    void whatIsDurableEndsBeforeTheFirstEntryThatIsNot() {
        assertEquals(0, IndexMap.durableIndex(MARKS, 0, 0));
        assertEquals(1, IndexMap.durableIndex(MARKS, 0, 1));
        assertEquals(3, IndexMap.durableIndex(MARKS, 2, 1));
        assertEquals(4, IndexMap.durableIndex(MARKS, 2, 2));
        assertEquals(5, IndexMap.durableIndex(MARKS, 2, 3));
        assertEquals(6, IndexMap.durableIndex(MARKS, 3, 3));
        assertEquals(3, IndexMap.durableIndex(MARKS, 3, 1), "message 3 is durable, the marks before it not yet");
    }

    @Test
    void aLogWithoutMarksHasIndexesEqualToMsgIds() {
        final long[] none = {};
        for (long id = 0; id < 5; id++) {
            assertEquals(id, IndexMap.indexOfMessage(none, id));
            assertEquals(id, IndexMap.msgIdAt(none, id));
            assertEquals(-1, IndexMap.markAt(none, id));
        }
        assertEquals(7, IndexMap.durableIndex(none, 7, 0));
    }
}
