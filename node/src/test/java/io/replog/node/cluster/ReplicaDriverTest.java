package io.replog.node.cluster;

import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaEvents;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.log.VoteFile;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica's thread under a backlog of appends: what peers say runs first, and ticks (heartbeats, the quorum
 * check) and flushes go on while the backlog is worked through, so a master never judges its peers silent by its
 * own delay.
 */
class ReplicaDriverTest {
    private final ReplicaDriver driver = new ReplicaDriver("driver-test");
    private final AtomicInteger ticks = new AtomicInteger();

    private void start() {
        final Replica replica = new Replica(1, new int[] {2, 3}, new LogReplicaStorage(new MemoryLogStore(),
            VoteFile.open(null), null), (to, message) -> { }, System::nanoTime, new Random(1),
            ReplicaSettings.defaults(), ReplicaEvents.NONE);
        driver.start(replica, ticks::incrementAndGet);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void whatPeersSayRunsBeforeTheAppendsQueuedAheadOfIt() throws Exception {
        start();
        final CountDownLatch gate = new CountDownLatch(1);
        final List<String> ran = new CopyOnWriteArrayList<>();
        driver.execute(r -> awaitGate(gate)); // the thread is busy: what follows queues up
        for (int i = 0; i < 1_000; i++) {
            final int n = i;
            driver.execute(r -> ran.add("append " + n));
        }
        driver.executeFirst(r -> ran.add("peer"));
        gate.countDown();
        Await.until("everything ran", () -> ran.size() == 1_001);
        // at most the rest of the chunk the driver was in goes first, not the 1,000 queued before it
        assertTrue(ran.indexOf("peer") < 100, "a peer's answer waits for no backlog of appends: ran after "
            + ran.indexOf("peer") + " of them");
    }

    @Test
    void ticksGoOnWhileABacklogOfSlowAppendsIsWorkedThrough() throws Exception {
        start();
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger done = new AtomicInteger();
        driver.execute(r -> awaitGate(gate));
        for (int i = 0; i < 300; i++) { // 300 appends of 1 ms each (a loaded machine): 30 ticks' worth
            driver.execute(r -> {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                done.incrementAndGet();
            });
        }
        final AtomicInteger ticksAtTheEnd = new AtomicInteger(-1);
        driver.execute(r -> ticksAtTheEnd.set(ticks.get()));
        final int before = ticks.get();
        gate.countDown();
        Await.until("the backlog ran", () -> ticksAtTheEnd.get() >= 0);
        assertEquals(300, done.get());
        assertTrue(ticksAtTheEnd.get() - before >= 5, "ticks between chunks of the backlog, got "
            + (ticksAtTheEnd.get() - before));
    }

    private static void awaitGate(final CountDownLatch gate) {
        try {
            assertTrue(gate.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
