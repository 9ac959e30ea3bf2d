package io.replog.node.master;

import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.ReplySink;
import io.replog.protocol.ErrorCode;
import io.replog.testing.Await;
import io.replog.testing.HelperThreads;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single writer, driven by calling its duty cycle directly under an injected clock. */
class SequencerTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final MemoryLogStore log = new MemoryLogStore(1 << 20, Long.MAX_VALUE);
    private final ConcurrentLinkedQueue<AppendRequest> ok = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<AppendRequest> failed = new ConcurrentLinkedQueue<>();
    private final ReplySink sink = new ReplySink() {
        @Override
        public void appended(final AppendRequest request) {
            ok.add(request);
        }

        @Override
        public void failed(final AppendRequest request) {
            failed.add(request);
        }
    };

    @AfterEach
    void closeLog() {
        log.close();
    }

    private AppendRequest request(final int w, final long timeoutMs, final long clientId, final long seq) {
        return new AppendRequest(sink, 1, w, timeoutMs, clientId, seq,
            Unpooled.copiedBuffer("m", StandardCharsets.UTF_8));
    }

    @Test
    void w1IsAnsweredAtOnceAndW2WaitsUntilItTimesOutOnTheInjectedClock() {
        final WriteConcernTracker tracker = new WriteConcernTracker(1);
        log.durabilityListener(tracker::onDurable); // as the master wires it
        final Sequencer sequencer = new Sequencer(log, tracker, clock);
        sequencer.submit(request(1, 0, 0, 0));
        sequencer.submit(request(2, 500, 0, 0));
        sequencer.doWork();
        assertEquals(1, ok.size());
        assertEquals(1, tracker.waiting());
        clock.advance(499_000_000L);
        sequencer.doWork();
        assertTrue(failed.isEmpty(), "499 ms: not yet");
        clock.advance(1_000_000L);
        sequencer.doWork();
        assertEquals(ErrorCode.TIMEOUT, failed.peek().errorCode());
        assertEquals(0, tracker.waiting());
        assertEquals(2, log.lastId(), "the timed-out message stays in the log");
    }

    @Test
    void aResentTaggedAppendIsNotStoredTwiceAndWaitsForItsOwnW() {
        final WriteConcernTracker tracker = new WriteConcernTracker(1);
        log.durabilityListener(tracker::onDurable); // as the master wires it
        final Sequencer sequencer = new Sequencer(log, tracker, clock);
        sequencer.submit(request(1, 0, 42, 1));
        sequencer.doWork();
        sequencer.submit(request(2, 0, 42, 1)); // the same (client, seq), now with w=2
        sequencer.doWork();
        assertEquals(1, log.lastId(), "stored once");
        assertEquals(1, ok.size(), "the duplicate waits for a secondary");
        tracker.onAck(0, 1);
        assertEquals(2, ok.size());
        ok.forEach(r -> assertEquals(1, r.msgId()));
    }

    @Test
    void anErrorOnTheSequencersThreadAnswersEveryAppendAndRefusesNewOnes() throws Exception {
        final WriteConcernTracker tracker = new WriteConcernTracker(1);
        log.durabilityListener(tracker::onDurable);
        final java.util.concurrent.atomic.AtomicBoolean outOfMemory = new java.util.concurrent.atomic.AtomicBoolean();
        // the node's log, but out of memory on demand (as a real OutOfMemoryError struck the test JVM once)
        final io.replog.node.log.LogStore failing = (io.replog.node.log.LogStore) java.lang.reflect.Proxy
            .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.replog.node.log.LogStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("append") && outOfMemory.get()) {
                        throw new OutOfMemoryError("Cannot reserve 16777216 bytes of direct buffer memory (test)");
                    }
                    try {
                        return method.invoke(log, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        final Sequencer sequencer = new Sequencer(failing, tracker, clock);
        sequencer.start(r -> new Thread(r, "sequencer-test"));
        try {
            sequencer.submit(request(2, 0, 0, 0)); // stored, waits for its secondary
            io.replog.testing.Await.until("stored", () -> log.lastId() == 1);
            outOfMemory.set(true);
            sequencer.submit(request(1, 0, 0, 0));
            io.replog.testing.Await.until("both answered", () -> failed.size() == 2);
            assertTrue(failed.stream().allMatch(r -> r.errorCode() == ErrorCode.SHUTTING_DOWN));
            assertTrue(sequencer.failure().contains("OutOfMemoryError"), sequencer.failure());
            sequencer.submit(request(1, 0, 0, 0));
            assertEquals(3, failed.size(), "refused at once, not queued for a thread that is gone");
            assertEquals(0, tracker.waiting());
        } finally {
            sequencer.close(ErrorCode.SHUTTING_DOWN, "test over");
        }
    }

    @Test
    void everyAppendSubmittedAroundCloseIsAnsweredExactlyOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            ok.clear();
            failed.clear();
            final Sequencer sequencer = new Sequencer(log, new WriteConcernTracker(1), clock);
            sequencer.start(new DefaultThreadFactory("test-sequencer", true));
            final AtomicInteger submitted = new AtomicInteger();
            final AtomicBoolean stop = new AtomicBoolean();
            final HelperThreads helpers = new HelperThreads(); // a submit that throws fails the test
            final List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                producers.add(helpers.start("producer-" + t, () -> {
                    for (int i = 0; !stop.get(); i++) {
                        sequencer.submit(request(i % 2 == 0 ? 1 : 2, 0, 0, 0));
                        submitted.incrementAndGet();
                    }
                }));
            }
            Await.until("producers under way", () -> submitted.get() >= 1_000);
            sequencer.close(ErrorCode.SHUTTING_DOWN, "stopping"); // while they keep submitting
            Await.until("some submitted after close", () -> !failed.isEmpty());
            stop.set(true);
            helpers.join(producers, Await.DEFAULT);
            assertEquals(submitted.get(), ok.size() + failed.size(), "round " + round + ": every append answered");
            failed.forEach(r -> assertEquals(ErrorCode.SHUTTING_DOWN, r.errorCode()));
        }
    }
}
