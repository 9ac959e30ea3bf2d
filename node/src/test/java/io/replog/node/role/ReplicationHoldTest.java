package io.replog.node.role;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hold keeps replication requests until released, then lets them through in order, later ones behind them. */
class ReplicationHoldTest {
    /** An event loop that runs its tasks when the test says. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor loop = tasks::add;
    private final List<String> applied = new ArrayList<>();
    private final ReplicationHold hold = new ReplicationHold();

    private boolean request(final String name) {
        return hold.defer(loop, () -> applied.add(name));
    }

    private void runLoop() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    @Test
    void heldRequestsWaitForTheReleaseAndLaterOnesQueueBehindThem() {
        assertFalse(hold.deferring(), "nothing held: requests are applied at once");
        final ReplicationHold.Held held = hold.hold();
        assertTrue(request("a"));
        assertTrue(request("b"));
        runLoop();
        assertEquals(List.of(), applied, "nothing applied while held");
        assertEquals(2, held.size());
        held.release();
        assertTrue(request("c"), "arrived before the released ones were applied: it waits behind them");
        runLoop();
        assertEquals(List.of("a", "b", "c"), applied);
        assertFalse(hold.deferring());
        assertFalse(request("d"), "all through: applied at once again");
    }

    @Test
    void aHoldIsReleasedOnceAndOnlyByItsOwner() {
        final ReplicationHold.Held first = hold.hold();
        assertThrows(IllegalStateException.class, hold::hold);
        first.close();
        final ReplicationHold.Held second = hold.hold();
        first.release(); // late: not the first hold's to end
        assertTrue(request("x"), "still held by the second hold");
        second.release();
        runLoop();
        assertEquals(List.of("x"), applied);
    }
}
